import CZlib
import NIOCore

/// Deflate streams through the system zlib, in either of the two framings this broker
/// meets: zlib's (RFC 1950: compressed Lumberjack frames) and gzip's (RFC 1952: Kafka's
/// gzip codec). The one zlib wrapper in the package; the framing is zlib's `windowBits`.
public enum Zlib {
    /// The header and trailer around the deflate data.
    public enum Framing: Sendable {
        /// RFC 1950: two header bytes, Adler-32 trailer.
        case zlib
        /// RFC 1952: gzip member header, CRC-32 and length trailer. Inflating accepts
        /// several concatenated members, as Java's `GZIPInputStream` does.
        case gzip

        /// zlib's `windowBits`: 15 (a 32 KiB window), plus 16 for gzip framing.
        var windowBits: Int32 {
            switch self {
            case .zlib: 15
            case .gzip: 15 + 16
            }
        }
    }

    /// Why a stream could not be inflated.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The output would exceed the caller's limit (bytes).
        case tooLarge(limit: Int)
        /// The stream is damaged or truncated, in words (zlib's own message where it gives one).
        case corrupt(String)

        public var description: String {
            switch self {
            case .tooLarge(let limit): "decompressed data exceeds \(limit) bytes"
            case .corrupt(let reason): reason
            }
        }
    }

    /// Output grows in steps of this many bytes (256 KiB) until the stream ends.
    static let outputStep = 256 * 1024

    /// Inflates a whole stream.
    ///
    /// - Parameter limit: the most bytes the output may hold; one more is an error, which
    ///   stops a zip bomb after `limit` bytes of work.
    /// - Throws: `.tooLarge` past `limit`, `.corrupt` for a damaged or truncated stream.
    public static func inflate(_ input: ByteBuffer, framing: Framing, limit: Int,
                               allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(Failure) -> ByteBuffer {
        var stream = z_stream()
        guard inflateInit2_(&stream, framing.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("zlib could not start (out of memory)")
        }
        defer { inflateEnd(&stream) }
        // Compressed JSON and records usually inflate 4–10×; start near that to avoid regrowth.
        var output = allocator.buffer(capacity: min(limit, max(outputStep, input.readableBytes * 6)))
        var status: Int32 = Z_OK
        var overflow = false
        input.withUnsafeReadableBytes { raw in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(raw.count)
            while true {
                if status == Z_STREAM_END {
                    // Another gzip member follows: read it into the same output.
                    guard framing == .gzip, stream.avail_in > 0 else { return }
                    guard inflateReset(&stream) == Z_OK else { status = Z_STREAM_ERROR; return }
                }
                let room = limit - output.writerIndex
                if room == 0 {
                    // Full: the stream may still end (its checksum trailer) but must not
                    // produce another byte.
                    var probe: UInt8 = 0
                    repeat {
                        withUnsafeMutablePointer(to: &probe) { pointer in
                            stream.next_out = pointer
                            stream.avail_out = 1
                            status = CZlib.inflate(&stream, Z_NO_FLUSH)
                        }
                    } while status == Z_OK && stream.avail_out == 1
                    overflow = stream.avail_out == 0
                    if overflow || status != Z_STREAM_END { return }
                    continue
                }
                let step = min(room, max(outputStep, output.capacity - output.writerIndex))
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: step) { out in
                    stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(min(out.count, room))
                    let before = stream.avail_out
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return Int(before - stream.avail_out)
                }
                // Z_BUF_ERROR with input left means the output step was full: grow.
                guard status == Z_OK || status == Z_STREAM_END
                    || (status == Z_BUF_ERROR && stream.avail_in > 0 && stream.avail_out == 0) else { return }
            }
        }
        if overflow { throw .tooLarge(limit: limit) }
        switch status {
        case Z_STREAM_END:
            return output
        case Z_OK, Z_BUF_ERROR:
            throw .corrupt("the stream ends before its end marker")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            throw .corrupt(message)
        }
    }

    /// Deflates `input` into one stream.
    /// - Parameter level: 0 (store) to 9 (smallest), or -1 for zlib's default (6).
    ///   Filebeat's default is 3.
    public static func deflate(_ input: ByteBuffer, framing: Framing, level: Int32 = -1,
                               allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, level, Z_DEFLATED, framing.windowBits, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK,
                     "zlib deflateInit failed (out of memory or a level outside -1...9)")
        defer { deflateEnd(&stream) }
        // deflateBound covers zlib's header; a gzip header and trailer are a few bytes more.
        let bound = Int(deflateBound(&stream, uLong(input.readableBytes))) + 32
        var output = allocator.buffer(capacity: bound)
        input.withUnsafeReadableBytes { raw in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(raw.count)
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { out in
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(out.count)
                let status = CZlib.deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate into deflateBound bytes must finish, got \(status)")
                return out.count - Int(stream.avail_out)
            }
        }
        return output
    }
}
