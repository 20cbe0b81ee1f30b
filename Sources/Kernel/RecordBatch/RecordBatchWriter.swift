import NIOCore

/// Builds an uncompressed v2 batch one record at a time, writing each record's bytes
/// once, straight into the batch's buffer: no `Record` values, no per-record scratch
/// buffer, and no regrowth when `init(capacity:)` was given the size the records need
/// (`RecordBatchWriter.bytesNeeded`). Connectors that hold their values as bytes in
/// their own buffers (the beats input) use it; `RecordBatchBuilder` stays the simple
/// way for everything else.
///
/// The batch's base timestamp is its first record's, as Kafka's own producer writes it;
/// a later record with an earlier timestamp gets a negative delta. `maxTimestamp` is the
/// largest timestamp appended.
public struct RecordBatchWriter: Sendable {
    /// Most bytes a record adds besides its key and value: its length, attributes,
    /// timestamp and offset deltas, key and value lengths and header count, each at its
    /// widest varint.
    public static let recordOverhead = 5 + 1 + 10 + 5 + 5 + 5 + 1

    /// Buffer bytes a batch of `records` records whose keys and values hold `keyAndValueBytes` in all needs at most.
    public static func bytesNeeded(records: Int, keyAndValueBytes: Int) -> Int {
        RecordBatch.headerSize + records * recordOverhead + keyAndValueBytes
    }

    private var buffer: ByteBuffer
    private var firstTimestamp: Int64 = 0
    private var maxTimestamp: Int64 = .min

    /// Records appended so far.
    public private(set) var recordCount = 0

    /// - Parameter capacity: bytes to allocate up front (the buffer grows past it if needed).
    public init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: max(capacity, RecordBatch.headerSize))
        buffer.moveWriterIndex(forwardBy: RecordBatch.headerSize)
    }

    /// Bytes of the batch so far, header included.
    public var byteCount: Int { buffer.readableBytes }

    /// Appends one record without headers. A nil `key` is a null key.
    public mutating func append(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer, timestamp: Int64) {
        if recordCount == 0 { firstTimestamp = timestamp }
        maxTimestamp = max(maxTimestamp, timestamp)
        let timestampDelta = Self.zigzag(timestamp &- firstTimestamp)
        let offsetDelta = Self.zigzag(Int64(recordCount))
        let keyLength = Self.zigzag(key.map { Int64($0.count) } ?? -1)
        let valueLength = Self.zigzag(Int64(value.count))
        let bodyLength = 1 + Self.size(timestampDelta) + Self.size(offsetDelta) + Self.size(keyLength) + (key?.count ?? 0)
            + Self.size(valueLength) + value.count + 1
        let length = Self.zigzag(Int64(bodyLength))
        let total = Self.size(length) + bodyLength
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { out in
            let base = out.baseAddress!
            var at = Self.put(length, base)
            base.storeBytes(of: 0, toByteOffset: at, as: UInt8.self)  // record attributes
            at += 1
            at += Self.put(timestampDelta, base + at)
            at += Self.put(offsetDelta, base + at)
            at += Self.put(keyLength, base + at)
            if let key, key.count > 0 {
                (base + at).copyMemory(from: key.baseAddress!, byteCount: key.count)
                at += key.count
            }
            at += Self.put(valueLength, base + at)
            if value.count > 0 {
                (base + at).copyMemory(from: value.baseAddress!, byteCount: value.count)
                at += value.count
            }
            base.storeBytes(of: 0, toByteOffset: at, as: UInt8.self)  // header count
            return at + 1
        }
        recordCount += 1
    }

    /// Appends one record whose value is the readable bytes of `value`.
    public mutating func append(key: [UInt8]?, value: ByteBuffer, timestamp: Int64) {
        value.withUnsafeReadableBytes { value in
            guard let key else { return append(key: nil, value: value, timestamp: timestamp) }
            key.withUnsafeBytes { append(key: $0, value: value, timestamp: timestamp) }
        }
    }

    /// The finished batch: header written and CRC computed, in place (the writer hands
    /// its buffer over, so the batch bytes are never copied). At least one record must
    /// have been appended; the writer is empty after.
    public mutating func finish() -> RecordBatch {
        precondition(recordCount > 0, "a record batch holds at least one record")
        defer {
            buffer = ByteBuffer()
            recordCount = 0
        }
        let start = buffer.readerIndex
        buffer.setInteger(Int64(0), at: start)                                           // baseOffset
        buffer.setInteger(Int32(buffer.readableBytes - RecordBatch.lengthPrefixSize), at: start + 8)
        buffer.setInteger(Int32(-1), at: start + 12)                                     // partitionLeaderEpoch
        buffer.setInteger(Int8(2), at: start + 16)                                       // magic
        buffer.setInteger(Int16(0), at: start + RecordBatch.attributesOffset)
        buffer.setInteger(Int32(recordCount - 1), at: start + 23)                        // lastOffsetDelta
        buffer.setInteger(firstTimestamp, at: start + 27)
        buffer.setInteger(maxTimestamp, at: start + 35)
        buffer.setInteger(Int64(-1), at: start + 43)                                     // producerId
        buffer.setInteger(Int16(-1), at: start + 51)                                     // producerEpoch
        buffer.setInteger(Int32(-1), at: start + 53)                                     // baseSequence
        buffer.setInteger(Int32(recordCount), at: start + 57)
        let crc = buffer.withUnsafeReadableBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[RecordBatch.attributesOffset...]))
        }
        buffer.setInteger(crc, at: start + RecordBatch.crcOffset)
        return RecordBatch(unchecked: buffer)
    }

    @inline(__always)
    private static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// Bytes of `value` as an unsigned LEB128 varint.
    @inline(__always)
    private static func size(_ value: UInt64) -> Int {
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    /// Writes `value` as an unsigned LEB128 varint at `to`; returns its byte count.
    @inline(__always)
    private static func put(_ value: UInt64, _ to: UnsafeMutableRawPointer) -> Int {
        var v = value
        var written = 0
        while v >= 0x80 {
            to.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: written, as: UInt8.self)
            v >>= 7
            written += 1
        }
        to.storeBytes(of: UInt8(v), toByteOffset: written, as: UInt8.self)
        return written + 1
    }
}
