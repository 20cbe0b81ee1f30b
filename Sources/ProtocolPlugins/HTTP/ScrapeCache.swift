import Foundation

/// Shares one rendering of `/metrics` between scrapes: concurrent scrapes wait for the
/// one in flight, and a rendering is reused for `maxAge` (default 1 s). A burst of
/// scrapes then costs the broker one walk over topics and groups, not one per request;
/// values are at most `maxAge` old, far below any Prometheus scrape interval.
actor ScrapeCache {
    private let maxAge: Duration
    private let render: @Sendable () async -> String
    private var last: (text: String, at: ContinuousClock.Instant)?
    private var inFlight: Task<String, Never>?

    init(maxAge: Duration = .seconds(1), render: @escaping @Sendable () async -> String) {
        self.maxAge = maxAge
        self.render = render
    }

    func text() async -> String {
        if let last, ContinuousClock.now - last.at < maxAge { return last.text }
        if let inFlight { return await inFlight.value }
        let task = Task { await render() }
        inFlight = task
        let text = await task.value
        last = (text, ContinuousClock.now)
        inFlight = nil
        return text
    }
}
