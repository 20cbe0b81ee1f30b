/// A rate measured as Kafka's quota sensors measure it: `samples` consecutive windows of
/// `windowMs` each (Kafka: `quota.window.num` 11 × `quota.window.size.seconds` 1). The
/// rate is the sum of the kept windows over the time they span, counted as at least
/// `samples - 1` windows so that a new meter does not see its first burst as a huge rate.
struct QuotaRateSampler: Sendable {
    let samples: Int
    let windowMs: Int64
    private var windows: [(start: Int64, total: Double)] = []

    init(samples: Int, windowMs: Int64) {
        self.samples = max(2, samples)
        self.windowMs = max(1, windowMs)
    }

    /// Adds `value` (bytes, or percent-seconds of handler time) at `nowMs`.
    mutating func record(_ value: Double, atMs nowMs: Int64) {
        purge(nowMs)
        if let last = windows.last, nowMs < last.start + windowMs {
            windows[windows.count - 1].total += value
        } else {
            windows.append((start: nowMs, total: value))
            if windows.count > samples { windows.removeFirst(windows.count - samples) }
        }
    }

    /// The rate per second at `nowMs`, and the span in ms it was measured over.
    func measure(atMs nowMs: Int64) -> (perSecond: Double, spanMs: Int64) {
        let kept = windows.filter { nowMs - $0.start < Int64(samples) * windowMs }
        let total = kept.reduce(0) { $0 + $1.total }
        let oldest = kept.first?.start ?? nowMs
        let span = max(nowMs - oldest, Int64(samples - 1) * windowMs)
        return (total * 1000 / Double(span), span)
    }

    /// True when nothing was recorded for longer than the whole window (the meter can go).
    func isIdle(atMs nowMs: Int64) -> Bool {
        guard let last = windows.last else { return true }
        return nowMs - last.start >= Int64(samples) * windowMs
    }

    /// How long a client that brought the rate to `perSecond` over `spanMs` must wait so
    /// that its rate falls back to `bound` — Kafka's `(rate - bound) / bound × window` —
    /// capped at the whole window; 0 when within the bound.
    static func throttleMs(perSecond: Double, bound: Double, spanMs: Int64, capMs: Int64) -> Int32 {
        guard bound > 0, perSecond > bound else { return 0 }
        let ms = (perSecond - bound) / bound * Double(spanMs)
        return Int32(min(Double(capMs), ms.rounded(.up)))
    }

    private mutating func purge(_ nowMs: Int64) {
        let horizon = Int64(samples) * windowMs
        while let first = windows.first, nowMs - first.start >= horizon { windows.removeFirst() }
    }
}
