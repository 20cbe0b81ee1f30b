import NIOCore

/// One Kafka v2 ("magic 2") record batch, kept as the bytes that arrived.
///
/// The kernel reads only the 61-byte header and rewrites two fields in place (base
/// offset and partition leader epoch, neither covered by the CRC); the records after the
/// header are never re-encoded on the way to storage.
///
/// Layout (big-endian): baseOffset i64 @0, batchLength i32 @8, partitionLeaderEpoch i32
/// @12, magic i8 @16, crc u32 @17, attributes i16 @21, lastOffsetDelta i32 @23,
/// baseTimestamp i64 @27, maxTimestamp i64 @35, producerId i64 @43, producerEpoch i16
/// @51, baseSequence i32 @53, recordCount i32 @57, records @61. The CRC covers bytes
/// from `attributes` to the end.
public struct RecordBatch: Sendable {
    /// Bytes before the first record.
    public static let headerSize = 61
    /// `baseOffset` and `batchLength`, which are not counted by `batchLength`.
    public static let lengthPrefixSize = 12
    static let crcOffset = 17
    static let attributesOffset = 21

    /// Exactly this batch's bytes, reader index at the batch start.
    public private(set) var buffer: ByteBuffer

    /// Wraps bytes already known to hold exactly one batch (see `RecordBatch.parse`).
    init(unchecked buffer: ByteBuffer) { self.buffer = buffer }

    /// Compression codec, from the low three attribute bits.
    public enum Compression: Int16, Sendable, CustomStringConvertible {
        case none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4
        public var description: String {
            switch self {
            case .none: "none"
            case .gzip: "gzip"
            case .snappy: "snappy"
            case .lz4: "lz4"
            case .zstd: "zstd"
            }
        }
    }

    /// Where record timestamps come from (attribute bit 3).
    public enum TimestampType: Sendable { case createTime, logAppendTime }

    private func int64(_ at: Int) -> Int64 { buffer.getInteger(at: buffer.readerIndex + at)! }
    private func int32(_ at: Int) -> Int32 { buffer.getInteger(at: buffer.readerIndex + at)! }
    private func int16(_ at: Int) -> Int16 { buffer.getInteger(at: buffer.readerIndex + at)! }

    /// Offset of the first record; the log assigns it on append.
    public var baseOffset: Int64 { int64(0) }
    /// Bytes after the length field (`byteCount - 12`).
    public var batchLength: Int32 { int32(8) }
    /// Total bytes of the batch including offset and length fields.
    public var byteCount: Int { buffer.readableBytes }
    public var partitionLeaderEpoch: Int32 { int32(12) }
    public var magic: Int8 { buffer.getInteger(at: buffer.readerIndex + 16)! }
    public var storedCRC: UInt32 { buffer.getInteger(at: buffer.readerIndex + Self.crcOffset)! }
    public var attributes: Int16 { int16(Self.attributesOffset) }
    public var lastOffsetDelta: Int32 { int32(23) }
    /// Milliseconds since the epoch.
    public var baseTimestamp: Int64 { int64(27) }
    /// Milliseconds since the epoch; the largest record timestamp in the batch.
    public var maxTimestamp: Int64 { int64(35) }
    /// -1 when the producer is not idempotent.
    public var producerId: Int64 { int64(43) }
    public var producerEpoch: Int16 { int16(51) }
    /// -1 when the producer is not idempotent.
    public var baseSequence: Int32 { int32(53) }
    public var recordCount: Int32 { int32(57) }

    /// The offset of the batch's last record.
    /// Wraps rather than traps when a hostile batch puts `baseOffset` near Int64.max (as
    /// Kafka's Java code does); the broker assigns real offsets before anything relies on it.
    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }
    public var compression: Compression { Compression(rawValue: attributes & 0x07) ?? .none }
    public var timestampType: TimestampType { (attributes & 0x08) != 0 ? .logAppendTime : .createTime }
    public var isTransactional: Bool { (attributes & 0x10) != 0 }
    public var isControl: Bool { (attributes & 0x20) != 0 }

    /// Sets the base offset in place (not covered by the CRC).
    public mutating func setBaseOffset(_ offset: Int64) {
        buffer.setInteger(offset, at: buffer.readerIndex)
    }

    /// Sets the partition leader epoch in place (not covered by the CRC).
    public mutating func setPartitionLeaderEpoch(_ epoch: Int32) {
        buffer.setInteger(epoch, at: buffer.readerIndex + 12)
    }

    /// Stamps LogAppendTime: sets the timestamp-type bit and `maxTimestamp`, then
    /// recomputes the CRC, since both fields are covered by it.
    public mutating func setLogAppendTime(_ timestamp: Int64) {
        let start = buffer.readerIndex
        buffer.setInteger(attributes | 0x08, at: start + Self.attributesOffset)
        buffer.setInteger(timestamp, at: start + 35)
        buffer.setInteger(computeCRC(), at: start + Self.crcOffset)
    }

    /// The CRC-32C of the bytes the stored CRC covers.
    public func computeCRC() -> UInt32 {
        buffer.withUnsafeReadableBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[Self.attributesOffset...]))
        }
    }

    /// Throws `checksumMismatch` when the stored CRC is wrong.
    public func verifyCRC() throws(RecordBatchError) {
        let computed = computeCRC()
        guard computed == storedCRC else {
            throw .checksumMismatch(stored: storedCRC, computed: computed)
        }
    }
}

extension RecordBatch {
    /// Splits `bytes` into whole v2 batches, validating each one's length, magic, record
    /// count and CRC. Every byte must belong to a batch: a trailing partial batch is an
    /// error (a producer never sends one).
    ///
    /// - Parameter maxBatchBytes: the largest single batch accepted (`max.message.bytes`).
    public static func parse(_ bytes: ByteBuffer, maxBatchBytes: Int = Int.max, verifyCRC: Bool = true) throws(RecordBatchError) -> [RecordBatch] {
        var remaining = bytes
        var batches: [RecordBatch] = []
        while remaining.readableBytes > 0 {
            let size = try nextBatchSize(remaining)
            guard size <= remaining.readableBytes else {
                throw .truncated(needed: size, available: remaining.readableBytes)
            }
            let batch = RecordBatch(unchecked: remaining.readSlice(length: size)!)
            guard batch.magic == 2 else { throw .unsupportedMagic(batch.magic) }
            guard size <= maxBatchBytes else { throw .tooLarge(size: size, limit: maxBatchBytes) }
            guard batch.recordCount >= 0, batch.lastOffsetDelta >= 0,
                  batch.recordCount == 0 || batch.lastOffsetDelta >= batch.recordCount - 1 else {
                throw .invalidRecordCount(count: batch.recordCount, lastOffsetDelta: batch.lastOffsetDelta)
            }
            if verifyCRC { try batch.verifyCRC() }
            batches.append(batch)
        }
        return batches
    }

    /// The total size of the batch starting at `buffer.readerIndex`, from its length
    /// field, or an error when even the header is incomplete or the length is impossible.
    /// Storage recovery uses this to find where a torn tail begins.
    public static func nextBatchSize(_ buffer: ByteBuffer) throws(RecordBatchError) -> Int {
        guard buffer.readableBytes >= headerSize else {
            throw .truncated(needed: headerSize, available: buffer.readableBytes)
        }
        let length: Int32 = buffer.getInteger(at: buffer.readerIndex + 8)!
        guard length >= Int32(headerSize - lengthPrefixSize) else { throw .invalidLength(length) }
        let magic: Int8 = buffer.getInteger(at: buffer.readerIndex + 16)!
        guard magic == 2 else { throw .unsupportedMagic(magic) }
        return Int(length) + lengthPrefixSize
    }
}
