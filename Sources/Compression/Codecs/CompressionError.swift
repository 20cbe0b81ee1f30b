import SluiceKernel

/// Why a batch body could not be compressed or decompressed.
public struct CompressionError: Error, Sendable, CustomStringConvertible {
    /// The codec that failed.
    public var codec: RecordBatch.Compression
    /// What went wrong, in words (the library's own message where it gives one).
    public var reason: String

    public init(_ codec: RecordBatch.Compression, _ reason: String) {
        self.codec = codec
        self.reason = reason
    }

    public var description: String { "\(codec): \(reason)" }
}
