import CZlib
import NIOCore

/// zlib streams (RFC 1950) as compressed Lumberjack frames carry them, through the
/// system zlib.
public enum Zlib {
    /// Output grows in steps of this many bytes (256 KiB) until the stream ends.
    static let outputStep = 256 * 1024

    /// Inflates a whole zlib stream.
    ///
    /// - Parameter limit: the most bytes the output may hold; one more is an error, which
    ///   stops a zip bomb after `limit` bytes of work.
    /// - Throws: `.decompressedTooLarge` past `limit`, `.corruptCompressedFrame` for a
    ///   damaged or truncated stream.
    public static func inflate(_ input: ByteBuffer, limit: Int,
                               allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(BeatsProtocolError) -> ByteBuffer {
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptCompressedFrame("zlib could not start (out of memory)")
        }
        defer { inflateEnd(&stream) }
        // Compressed JSON usually inflates 4–10×; start near that to avoid regrowth.
        var output = allocator.buffer(capacity: min(limit, max(outputStep, input.readableBytes * 6)))
        var status: Int32 = Z_OK
        var overflow = false
        input.withUnsafeReadableBytes { raw in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(raw.count)
            while true {
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
                    return
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
                guard status == Z_OK || (status == Z_BUF_ERROR && stream.avail_in > 0 && stream.avail_out == 0) else { return }
            }
        }
        if overflow { throw .decompressedTooLarge(limit: limit) }
        switch status {
        case Z_STREAM_END:
            return output
        case Z_OK, Z_BUF_ERROR:
            throw .corruptCompressedFrame("the stream ends before its end marker")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            throw .corruptCompressedFrame(message)
        }
    }

    /// Deflates `input` into a zlib stream (the client side: tests and the benchmark).
    /// - Parameter level: 0 (store) to 9 (smallest); Filebeat's default is 3.
    public static func deflate(_ input: ByteBuffer, level: Int32 = 3,
                               allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var stream = z_stream()
        precondition(deflateInit_(&stream, level, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK,
                     "zlib deflateInit failed (out of memory)")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.readableBytes)))
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
