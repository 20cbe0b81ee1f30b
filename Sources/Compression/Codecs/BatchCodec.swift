import NIOCore
import SluiceKernel

/// Kafka's record-batch compression codecs (the body after the 61-byte batch header):
/// gzip (zlib), snappy (raw, and xerial framing when decoding), lz4 (LZ4 frame format)
/// and zstd, over the system libraries.
public enum BatchCodec {
    /// The largest decompressed body accepted, in bytes (1 GiB): a guard against a
    /// corrupt or hostile batch inflating without bound.
    public static let maxDecompressedBytes = 1 << 30

    /// Compresses `body` with `codec` (`.none` returns it unchanged).
    public static func compress(_ codec: RecordBatch.Compression, _ body: ByteBuffer) throws(CompressionError) -> ByteBuffer {
        let input = Array(body.readableBytesView)
        let output: [UInt8]
        switch codec {
        case .none: return body
        case .gzip: output = try Gzip.compress(input)
        case .snappy: output = try Snappy.compress(input)
        case .lz4: output = try LZ4Frame.compress(input)
        case .zstd: output = try Zstd.compress(input)
        }
        return ByteBuffer(bytes: output)
    }

    /// Decompresses `body` written with `codec` (`.none` returns it unchanged).
    /// - Parameter limit: decompressed bytes at most; default `maxDecompressedBytes`.
    public static func decompress(_ codec: RecordBatch.Compression, _ body: ByteBuffer,
                                  limit: Int = maxDecompressedBytes) throws(CompressionError) -> ByteBuffer {
        let input = Array(body.readableBytesView)
        let output: [UInt8]
        switch codec {
        case .none: return body
        case .gzip: output = try Gzip.decompress(input, limit: limit)
        case .snappy: output = try Snappy.decompress(input, limit: limit)
        case .lz4: output = try LZ4Frame.decompress(input, limit: limit)
        case .zstd: output = try Zstd.decompress(input, limit: limit)
        }
        return ByteBuffer(bytes: output)
    }

    /// Parses a codec name as Kafka's `compression.type` spells it: none, gzip, snappy, lz4, zstd.
    public static func named(_ name: String) -> RecordBatch.Compression? {
        switch name.lowercased() {
        case "none": RecordBatch.Compression.none
        case "gzip": .gzip
        case "snappy": .snappy
        case "lz4": .lz4
        case "zstd": .zstd
        default: nil
        }
    }
}
