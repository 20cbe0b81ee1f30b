import NIOCore
import SluiceKernel

/// The log cleaner's codec (`CompactionPolicy.codec`): gzip, snappy, lz4 and zstd
/// through `BatchCodec`, so compacted topics may hold compressed batches. Rewritten
/// batches keep their original codec.
public struct CompressionBatchCodec: RecordBatchCodec {
    public init() {}

    public func decompress(_ compression: RecordBatch.Compression, _ body: ByteBuffer) throws -> ByteBuffer {
        try BatchCodec.decompress(compression, body)
    }

    public func compress(_ compression: RecordBatch.Compression, _ body: ByteBuffer) throws -> ByteBuffer {
        try BatchCodec.compress(compression, body)
    }
}
