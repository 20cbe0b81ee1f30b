/// A `Duration` as the numbers the wire, the logs and the benchmarks need. Kafka counts
/// milliseconds, the request log microseconds, and reports print seconds; each conversion is
/// written here once instead of as `components` arithmetic at every use.
extension Duration {
    /// Whole milliseconds, rounded toward zero; clamped to `Int64`'s range.
    public var milliseconds: Int64 { wholeUnits(perSecond: 1_000) }

    /// Whole microseconds, rounded toward zero; clamped to `Int64`'s range.
    public var microseconds: Int64 { wholeUnits(perSecond: 1_000_000) }

    /// Seconds, with the fraction (for rates and reports, not for arithmetic on offsets).
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private func wholeUnits(perSecond: Int64) -> Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: perSecond)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowAgain) = whole.addingReportingOverflow(attoseconds / (1_000_000_000_000_000_000 / perSecond))
        if overflowAgain { return seconds < 0 ? .min : .max }
        return total
    }
}
