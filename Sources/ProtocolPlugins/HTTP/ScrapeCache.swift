import Foundation
import NIOCore

/// Shares one rendering of `/metrics` between scrapes: concurrent scrapes wait for the
/// one in flight, and a rendering is reused for `maxAge` (default 1 s). A burst of
/// scrapes then costs the broker one walk over topics and groups, not one per request;
/// values are at most `maxAge` old, far below any Prometheus scrape interval. The text is
/// kept as one `ByteBuffer` that every response shares (copy-on-write: writing it to a
/// socket copies nothing), so a cached scrape costs the broker only its HTTP exchange.
actor ScrapeCache {
    private let maxAge: Duration
    private let render: @Sendable () async -> String
    private var last: (bytes: ByteBuffer, at: ContinuousClock.Instant)?
    private var inFlight: Task<ByteBuffer, Never>?

    init(maxAge: Duration = .seconds(1), render: @escaping @Sendable () async -> String) {
        self.maxAge = maxAge
        self.render = render
    }

    /// The exposition text, rendered at most once per `maxAge`.
    func bytes() async -> ByteBuffer {
        if let last, ContinuousClock.now - last.at < maxAge { return last.bytes }
        if let inFlight { return await inFlight.value }
        let task = Task { [render] in ByteBuffer(string: await render()) }
        inFlight = task
        let bytes = await task.value
        last = (bytes, ContinuousClock.now)
        inFlight = nil
        return bytes
    }
}
