import CZlib
import NIOCore

/// gzip inflation through the system zlib, shared by the plugins that read stored
/// record batches (the file sink, the HTTP record browser). Not a plugin: a helper
/// module any plugin may import.
public enum Gzip {
    /// Why a gzip stream could not be inflated, in words for a log or an API response.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Inflates a gzip stream (Kafka's gzip codec), including several concatenated
    /// members, as Java's GZIPInputStream accepts. Fails when the output would exceed
    /// `maxBytes` bytes (a guard against a corrupt or hostile stream inflating without bound).
    public static func gunzip(_ compressed: ByteBuffer, maxBytes: Int) throws(Failure) -> ByteBuffer {
        var input = Array(compressed.readableBytesView)
        var output = ByteBufferAllocator().buffer(capacity: max(1024, input.count * 4))
        var stream = z_stream()
        // 15 window bits + 16: gzip framing only.
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(reason: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        let inputCount = input.count
        var failure: String?
        input.withUnsafeMutableBufferPointer { inputPointer in
            stream.next_in = inputPointer.baseAddress
            stream.avail_in = uInt(inputCount)
            while failure == nil {
                output.reserveCapacity(minimumWritableBytes: 64 * 1024)
                var status: Int32 = Z_OK
                let produced = output.writeWithUnsafeMutableBytes(minimumWritableBytes: 64 * 1024) { raw in
                    stream.next_out = raw.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(raw.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return raw.count - Int(stream.avail_out)
                }
                switch status {
                case Z_STREAM_END:
                    if stream.avail_in == 0 { return }
                    if inflateReset(&stream) != Z_OK { failure = "zlib could not start the next gzip member" }
                case Z_OK:
                    if produced == 0 && stream.avail_in == 0 { failure = "the gzip stream ends before its trailer" }
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 { failure = "the gzip stream ends before its trailer" }
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    failure = "corrupt gzip data: \(message)"
                }
                if output.readableBytes > maxBytes {
                    failure = "decompressed data exceeds \(maxBytes) bytes"
                }
            }
        }
        if let failure { throw Failure(reason: failure) }
        return output
    }
}
