import Foundation
import Testing

@Suite("sluice bench")
struct BenchCommandTests {
    /// A tiny in-process run proves the command wires a beats input to a segment-log store
    /// and waits for every ack: the figure's event count is what was acknowledged.
    @Test func beatsBenchReportsEveryAcknowledgedEvent() async throws {
        let dir = try TemporaryDirectory()
        let result = try await SluiceBinary.run(
            ["bench", "beats", "--events", "4096", "--event-bytes", "512", "--window", "512", "--dir", dir.url.path],
            timeout: .seconds(120))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("beats ingest, interval flush, segment-log: 4096 events (2.0 MiB)"), "\(result.stdout)")
        #expect(result.stdout.contains("events/s"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path)
        #expect(leftovers.isEmpty, "the scratch store is removed: \(leftovers)")
    }

    @Test func beatsBenchRejectsABadFlushPolicy() async throws {
        let result = try await SluiceBinary.run(["bench", "beats", "--flush", "sometimes"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--flush takes always, interval or os; got 'sometimes'"), "\(result.stderr)")
    }
}
