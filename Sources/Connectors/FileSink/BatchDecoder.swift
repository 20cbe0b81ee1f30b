import NIOCore
import SluiceGzip
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
                return try batch.records { _, compressed in try Gzip.gunzip(compressed, maxBytes: maxDecompressedBytes) }
            } catch let error as Gzip.Failure {
                throw .decompression(tp, offset: batch.baseOffset, reason: error.reason)
            } catch {
                throw .malformedBatch(tp, offset: batch.baseOffset, reason: "\(error)")
            }
        case .snappy, .lz4, .zstd:
            throw .unsupportedCompression(tp, codec: batch.compression, firstOffset: batch.baseOffset, lastOffset: batch.lastOffset)
        }
    }
}
