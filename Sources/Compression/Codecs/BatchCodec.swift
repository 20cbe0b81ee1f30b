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
        switch codec {
        case .none: body
        case .gzip: Zlib.deflate(body, framing: .gzip)
        case .snappy: ByteBuffer(bytes: try Snappy.compress(Array(body.readableBytesView)))
        case .lz4: ByteBuffer(bytes: try LZ4Frame.compress(Array(body.readableBytesView)))
        case .zstd: ByteBuffer(bytes: try Zstd.compress(Array(body.readableBytesView)))
        }
    }

    /// Decompresses `body` written with `codec` (`.none` returns it unchanged).
    /// - Parameter limit: decompressed bytes at most; default `maxDecompressedBytes`.
    public static func decompress(_ codec: RecordBatch.Compression, _ body: ByteBuffer,
                                  limit: Int = maxDecompressedBytes) throws(CompressionError) -> ByteBuffer {
        switch codec {
        case .none: return body
        case .gzip:
            do throws(Zlib.Failure) {
                return try Zlib.inflate(body, framing: .gzip, limit: limit)
            } catch {
                throw CompressionError(.gzip, error.description)
            }
        case .snappy: return ByteBuffer(bytes: try Snappy.decompress(Array(body.readableBytesView), limit: limit))
        case .lz4: return ByteBuffer(bytes: try LZ4Frame.decompress(Array(body.readableBytesView), limit: limit))
        case .zstd: return ByteBuffer(bytes: try Zstd.decompress(Array(body.readableBytesView), limit: limit))
        }
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
