import CZlib
import NIOCore
import SluiceKernel

/// Reads the records of a stored batch: uncompressed batches directly, gzip batches
/// through zlib. Snappy, lz4 and zstd are refused with `unsupportedCompression`, which
/// names the partition, the offsets and the producer setting that avoids them.
package enum BatchDecoder {
    /// The largest decompressed body accepted, in bytes (1 GiB): a guard against a
    /// corrupt or hostile batch inflating without bound.
    package static let maxDecompressedBytes = 1 << 30

    package static func records(of batch: RecordBatch, in tp: TopicPartition) throws(FileSinkError) -> [Record] {
        switch batch.compression {
        case .none:
            do { return try batch.records() } catch {
                throw .malformedBatch(tp, offset: batch.baseOffset, reason: error.description)
            }
        case .gzip:
            do {
                return try batch.records { _, compressed in try gunzip(compressed) }
            } catch let error as GzipError {
                throw .decompression(tp, offset: batch.baseOffset, reason: error.reason)
            } catch {
                throw .malformedBatch(tp, offset: batch.baseOffset, reason: "\(error)")
            }
        case .snappy, .lz4, .zstd:
            throw .unsupportedCompression(tp, codec: batch.compression, firstOffset: batch.baseOffset, lastOffset: batch.lastOffset)
        }
    }

    package struct GzipError: Error { package var reason: String }

    /// Inflates a gzip stream (Kafka's gzip codec), including several concatenated
    /// members, as Java's GZIPInputStream accepts.
    package static func gunzip(_ compressed: ByteBuffer) throws(GzipError) -> ByteBuffer {
        var input = Array(compressed.readableBytesView)
        var output = ByteBufferAllocator().buffer(capacity: max(1024, input.count * 4))
        var stream = z_stream()
        // 15 window bits + 16: gzip framing only.
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GzipError(reason: "zlib could not start inflating")
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
                if output.readableBytes > maxDecompressedBytes {
                    failure = "decompressed data exceeds \(maxDecompressedBytes) bytes"
                }
            }
        }
        if let failure { throw GzipError(reason: failure) }
        return output
    }
}
