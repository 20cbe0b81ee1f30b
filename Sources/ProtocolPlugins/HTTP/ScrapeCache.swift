import Foundation
import NIOCore

/// Shares one rendering of `/metrics` between scrapes: concurrent scrapes wait for the
/// one in flight, and a rendering is reused for the snapshot's `maxAge` (default 1 s). A
/// burst of scrapes then costs the broker one walk over topics and groups, not one per
/// request; values are at most `maxAge` old, far below any Prometheus scrape interval. The
/// text is kept as one `ByteBuffer` that every response shares (copy-on-write: writing it
/// to a socket copies nothing), and published in `snapshot`, from which `MetricsFastPath`
/// answers scrapes without leaving the event loop.
actor ScrapeCache {
    let snapshot: MetricsSnapshot
    private let render: @Sendable () async -> String
    private var inFlight: Task<ByteBuffer, Never>?

    init(snapshot: MetricsSnapshot, render: @escaping @Sendable () async -> String) {
        self.snapshot = snapshot
        self.render = render
    }

    /// The exposition text, rendered at most once per `maxAge`.
    func bytes() async -> ByteBuffer {
        if let fresh = snapshot.fresh() { return fresh }
        if let inFlight { return await inFlight.value }
        let task = Task { [render] in ByteBuffer(string: await render()) }
        inFlight = task
        let bytes = await task.value
        snapshot.publish(bytes, renderedAt: .now)
        inFlight = nil
        return bytes
    }
}
