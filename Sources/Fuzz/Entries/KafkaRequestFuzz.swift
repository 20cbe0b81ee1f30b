import NIOCore
import KafkaWire

/// Fuzz entry for the Kafka request path: the input is what a client writes to the
/// socket (size-prefixed frames), parsed the way the server parses it — frame split,
/// request header, then the body decoder of the API and version the header names.
package enum KafkaRequestFuzz {
    /// Largest frame the fuzz target accepts, in bytes: the server's default limit.
    package static let maxFrameBytes = 104_857_600

    /// Parses `bytes` as one connection's input. Never traps: every malformed input ends
    /// in a close reason or a framing error in the outcome.
    package static func run(_ bytes: [UInt8]) -> RequestParsing.StreamOutcome {
        RequestParsing.parse(stream: ByteBuffer(bytes: bytes), maxFrameBytes: maxFrameBytes)
    }
}
