import Logging
import NIOCore
import SluiceKernel

/// One client connection's writer: takes window chunks in arrival order, appends each,
/// and acknowledges a window once its last chunk is appended. Pipelined windows wait in
/// the channel's inbound buffer, which stops reading from the socket when it holds
/// `BeatsInput.inboundHighWatermark` chunks — the backpressure that keeps a slow storage
/// from filling memory.
struct BeatsConnection {
    let channel: NIOAsyncChannel<WindowChunk, BeatsAck>
    var writer: ChunkWriter
    let metrics: BeatsMetrics
    let logger: Logger

    /// Serves until the client disconnects, an error closes the connection, or input is
    /// shut for a graceful stop (chunks already received are still written and acked).
    mutating func run() async {
        var events = 0
        var bytes = 0
        var windows = 0
        var failure: String?
        do {
            try await channel.executeThenClose { inbound, outbound in
                for try await chunk in inbound {
                    if !chunk.events.isEmpty {
                        try await writer.write(chunk)
                        events += chunk.events.count
                        bytes += chunk.byteCount
                        metrics.events.increment(by: Int64(chunk.events.count))
                        metrics.bytes.increment(by: Int64(chunk.byteCount))
                    }
                    if chunk.completesWindow {
                        try await outbound.write(.window(version: chunk.version, sequence: chunk.ackSequence))
                        windows += 1
                        metrics.windows.increment()
                        metrics.acks.increment()
                    }
                }
            }
        } catch let error as BeatsAppendError {
            metrics.errors.increment()
            logger.error("closing beats connection: \(error)")
            failure = error.description
        } catch {
            // Protocol errors were logged by ConnectionGuard; this is the closed channel.
            failure = "\(error)"
        }
        logger.info("beats connection closed", metadata: [
            "events": "\(events)", "bytes": "\(bytes)", "windows": "\(windows)",
            "reason": "\(failure ?? "client closed")",
        ])
    }
}
