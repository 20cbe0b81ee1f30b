import NIOCore
import SluiceCompression
import SluiceKernel

/// Reads the records of a stored batch: uncompressed batches directly, compressed ones
/// (gzip, snappy, lz4, zstd) through `SluiceCompression`.
package enum BatchDecoder {
    /// The largest decompressed body accepted, in bytes (1 GiB): a guard against a
    /// corrupt or hostile batch inflating without bound.
    package static let maxDecompressedBytes = BatchCodec.maxDecompressedBytes

    /// The records of an uncompressed batch as views into its bytes.
    package static func views(of batch: RecordBatch, in tp: TopicPartition) throws(FileSinkError) -> [RecordView] {
        do { return try batch.recordViews() } catch {
            throw .malformedBatch(tp, offset: batch.baseOffset, reason: error.description)
        }
    }

    package static func records(of batch: RecordBatch, in tp: TopicPartition) throws(FileSinkError) -> [Record] {
        if batch.compression == .none {
            do { return try batch.records() } catch {
                throw .malformedBatch(tp, offset: batch.baseOffset, reason: error.description)
            }
        }
        do {
            return try batch.records { codec, compressed in try BatchCodec.decompress(codec, compressed, limit: maxDecompressedBytes) }
        } catch let error as CompressionError {
            throw .decompression(tp, offset: batch.baseOffset, reason: error.description)
        } catch {
            throw .malformedBatch(tp, offset: batch.baseOffset, reason: "\(error)")
        }
    }
}
