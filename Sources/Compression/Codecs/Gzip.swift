import CZlib

/// Kafka's gzip codec: a gzip stream (RFC 1952) through zlib. Decoding accepts several
/// concatenated members, as Java's GZIPInputStream does.
enum Gzip {
    /// 15 window bits + 16: gzip framing, not zlib's.
    private static let gzipWindowBits: Int32 = 15 + 16

    static func compress(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CompressionError(.gzip, "zlib could not start deflating")
        }
        defer { deflateEnd(&stream) }
        var source = input
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let capacity = output.count
        let status: Int32 = source.withUnsafeMutableBufferPointer { sourcePointer in
            output.withUnsafeMutableBufferPointer { outputPointer in
                stream.next_in = sourcePointer.baseAddress
                stream.avail_in = uInt(sourcePointer.count)
                stream.next_out = outputPointer.baseAddress
                stream.avail_out = uInt(capacity)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw CompressionError(.gzip, "zlib deflate failed with status \(status)") }
        output.removeLast(Int(stream.avail_out))
        return output
    }

    static func decompress(_ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        var source = input
        var output: [UInt8] = []
        output.reserveCapacity(max(1024, input.count * 4))
        var stream = z_stream()
        guard inflateInit2_(&stream, gzipWindowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CompressionError(.gzip, "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var failure: String?
        source.withUnsafeMutableBufferPointer { sourcePointer in
            stream.next_in = sourcePointer.baseAddress
            stream.avail_in = uInt(sourcePointer.count)
            while failure == nil {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { chunkPointer in
                    stream.next_out = chunkPointer.baseAddress
                    stream.avail_out = uInt(chunkPointer.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, chunkPointer.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit {
                    failure = "decompressed data exceeds \(limit) bytes"
                    return
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
            }
        }
        if let failure { throw CompressionError(.gzip, failure) }
        return output
    }
}
