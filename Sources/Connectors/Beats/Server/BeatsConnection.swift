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
    ///
    /// At most one append is in flight: chunk N+1 is prepared (routed and built into
    /// batches) while chunk N is appended. The append task sends N's ack itself as soon
    /// as the append returns, and N+1's append starts only after that — so acks follow
    /// their appends, in order, without waiting for more input.
    mutating func run() async {
        var totals = Totals()
        var failure: String?
        let metrics = self.metrics
        let transport = channel.channel
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Totals.self) { appends in
                    var inFlight = false
                    for try await chunk in inbound {
                        let prepared = try await writer.prepare(chunk)
                        if inFlight, let done = try await appends.next() { totals.add(done) }
                        appends.addTask {
                            do {
                                try await prepared.append()
                            } catch {
                                // The reader may be waiting for input that only our ack would
                                // bring: closing ends its wait, and the error surfaces below.
                                transport.close(promise: nil)
                                throw error
                            }
                            return try await Self.acknowledge(chunk, outbound: outbound, metrics: metrics)
                        }
                        inFlight = true
                    }
                    for try await done in appends { totals.add(done) }
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
            "events": "\(totals.events)", "bytes": "\(totals.bytes)", "windows": "\(totals.windows)",
            "reason": "\(failure ?? "client closed")",
        ])
    }

    /// What one connection appended, for its closing log line.
    struct Totals: Sendable {
        var events = 0
        var bytes = 0
        var windows = 0

        mutating func add(_ other: Totals) {
            events += other.events
            bytes += other.bytes
            windows += other.windows
        }
    }

    /// Counts an appended chunk and acks its window when it completes one.
    private static func acknowledge(_ chunk: WindowChunk, outbound: NIOAsyncChannelOutboundWriter<BeatsAck>,
                                    metrics: BeatsMetrics) async throws -> Totals {
        metrics.events.increment(by: Int64(chunk.events.count))
        metrics.bytes.increment(by: Int64(chunk.byteCount))
        guard chunk.completesWindow else { return Totals(events: chunk.events.count, bytes: chunk.byteCount) }
        try await outbound.write(.window(version: chunk.version, sequence: chunk.ackSequence))
        metrics.windows.increment()
        metrics.acks.increment()
        return Totals(events: chunk.events.count, bytes: chunk.byteCount, windows: 1)
    }
}
