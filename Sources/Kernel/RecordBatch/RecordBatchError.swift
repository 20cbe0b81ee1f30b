/// Why bytes that claimed to be Kafka v2 record batches were refused.
public enum RecordBatchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the batch header or its declared length need.
    case truncated(needed: Int, available: Int)
    /// `batchLength` is below the smallest possible batch or negative.
    case invalidLength(Int32)
    /// Magic byte 0 or 1 (old message sets) or anything but 2.
    case unsupportedMagic(Int8)
    /// The stored CRC-32C does not match the bytes.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// One batch is larger than the configured maximum (`message.max.bytes`).
    case tooLarge(size: Int, limit: Int)
    /// The record count is negative or disagrees with `lastOffsetDelta`.
    case invalidRecordCount(count: Int32, lastOffsetDelta: Int32)
    /// A record inside an uncompressed batch could not be decoded.
    case malformedRecord(String)
    /// Reading records of a batch compressed with a codec no decompressor was given for.
    case unsupportedCompression(RecordBatch.Compression)

    public var description: String {
        switch self {
        case .truncated(let needed, let available):
            return "record batch truncated: needs \(needed) bytes, \(available) available"
        case .invalidLength(let length):
            return "record batch length \(length) is invalid (a v2 batch is at least \(RecordBatch.headerSize - RecordBatch.lengthPrefixSize) bytes after its length field)"
        case .unsupportedMagic(let magic):
            return "record batch magic \(magic) is not supported: only magic 2 (Kafka 0.11+) batches are accepted"
        case .checksumMismatch(let stored, let computed):
            return "record batch CRC-32C mismatch: stored \(String(stored, radix: 16)), computed \(String(computed, radix: 16))"
        case .tooLarge(let size, let limit):
            return "record batch of \(size) bytes exceeds the limit of \(limit) bytes (max.message.bytes)"
        case .invalidRecordCount(let count, let delta):
            return "record batch claims \(count) records but lastOffsetDelta \(delta)"
        case .malformedRecord(let why):
            return "malformed record: \(why)"
        case .unsupportedCompression(let codec):
            return "cannot read records compressed with \(codec)"
        }
    }
}
