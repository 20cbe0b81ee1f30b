import NIOConcurrencyHelpers
import NIOCore

/// The last rendered `/metrics` text and when it was rendered, published by `ScrapeCache`
/// (the one writer, an actor) for readers that cannot await: `MetricsFastPath` reads it
/// on the connection's event loop. It holds one value, replaced whole; the lock only
/// makes that replacement visible across threads (NIO's pthread mutex, which
/// ThreadSanitizer understands, unlike the standard library's `Mutex` on Linux).
final class MetricsSnapshot: Sendable {
    /// How long a rendering is served before the next scrape renders again (default 1 s).
    let maxAge: Duration
    private let latest = NIOLockedValueBox<(bytes: ByteBuffer, at: ContinuousClock.Instant)?>(nil)

    init(maxAge: Duration = .seconds(1)) {
        self.maxAge = maxAge
    }

    /// The text when it was rendered less than `maxAge` ago, else nil.
    func fresh(now: ContinuousClock.Instant = .now) -> ByteBuffer? {
        latest.withLockedValue { latest in
            guard let latest, now - latest.at < maxAge else { return nil }
            return latest.bytes
        }
    }

    /// Replaces the published text.
    func publish(_ bytes: ByteBuffer, renderedAt: ContinuousClock.Instant) {
        latest.withLockedValue { $0 = (bytes, renderedAt) }
    }
}
