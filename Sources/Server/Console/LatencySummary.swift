import Foundation

/// Percentiles of measured latencies (exact: every sample is kept and sorted; a bench
/// run holds at most a few million samples, 8 bytes each).
struct LatencySummary: Sendable {
    /// Samples in nanoseconds.
    private(set) var samples: [UInt64] = []

    mutating func record(_ nanoseconds: UInt64) { samples.append(nanoseconds) }
    mutating func merge(_ other: LatencySummary) { samples += other.samples }

    /// Milliseconds at each reported percentile, plus the maximum.
    func milliseconds() -> [(name: String, value: Double)] {
        let sorted = samples.sorted()
        func at(_ percentile: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, Int((percentile / 100 * Double(sorted.count)).rounded(.up)) - 1)
            return Double(sorted[max(0, index)]) / 1e6
        }
        return [("p50", at(50)), ("p90", at(90)), ("p99", at(99)), ("p99.9", at(99.9)), ("max", Double(sorted.last ?? 0) / 1e6)]
    }
}

/// One bench run's figures, printed for people or as JSON (`--json`).
struct BenchResult: Sendable {
    var mode: String
    var settings: [String: String]
    var records: Int
    var bytes: Int
    var seconds: Double
    var latency: LatencySummary
    var latencyMeaning: String

    var recordsPerSecond: Double { seconds > 0 ? Double(records) / seconds : 0 }
    var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1_048_576 / seconds : 0 }

    func text() -> String {
        let settingText = settings.keys.sorted().map { "\($0) \(settings[$0]!)" }.joined(separator: ", ")
        let latencies = latency.milliseconds().map { String(format: "%@ %.2f", $0.name, $0.value) }.joined(separator: "  ")
        return """
            bench \(mode): \(settingText)
              \(records) records, \(bytes) bytes in \(String(format: "%.2f", seconds)) s: \
            \(String(format: "%.0f", recordsPerSecond)) records/s, \(String(format: "%.2f", megabytesPerSecond)) MB/s
              latency (ms, \(latencyMeaning), \(latency.samples.count) samples): \(latencies)

            """
    }

    func json() -> String {
        var latencyObject: [String: Any] = ["samples": latency.samples.count, "meaning": latencyMeaning]
        for (name, value) in latency.milliseconds() { latencyObject[name] = value }
        return jsonText([
            "mode": mode, "settings": settings, "records": records, "bytes": bytes, "seconds": seconds,
            "recordsPerSecond": recordsPerSecond, "mbPerSecond": megabytesPerSecond, "latencyMs": latencyObject,
        ])
    }
}

/// A progress line rewritten in place on a terminal (stderr); silent otherwise.
final class ProgressLine: Sendable {
    let enabled = isatty(STDERR_FILENO) == 1

    func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
