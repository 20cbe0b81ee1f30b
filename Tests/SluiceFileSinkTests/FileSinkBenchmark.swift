import Foundation
import SluiceKernel
import Testing
@testable import SluiceFileSink

/// Throughput of the sink alone: records are appended to the (in-memory) broker first,
/// then the clock runs from the sink's start until every partition's stored position
/// reaches the end — fetch, decode, format, write, fsync and position stores included.
///
/// Off by default; a release run gives the figures:
///
///     SLUICE_BENCHMARK=1 swift test -c release -Xswiftc -enable-testing --filter FileSinkBenchmark
///
/// `SLUICE_BENCHMARK_RECORDS` sets the records per partition (default 1000000).
@Suite("File sink benchmark", .serialized, .enabled(if: ProcessInfo.processInfo.environment["SLUICE_BENCHMARK"] == "1"))
struct FileSinkBenchmark {
    static let recordsPerPartition = ProcessInfo.processInfo.environment["SLUICE_BENCHMARK_RECORDS"].flatMap(Int.init) ?? 1_000_000

    @Test(arguments: [(FileSinkConfiguration.SinkFormat.value, 1), (.json, 1), (.value, 4), (.json, 4)])
    func throughput(format: FileSinkConfiguration.SinkFormat, partitions: Int) async throws {
        let harness = try await SinkHarness()
        try await harness.broker.createTopic("bench", partitions: Int32(partitions))
        let tps = (0..<partitions).map { TopicPartition("bench", Int32($0)) }
        let count = Self.recordsPerPartition
        // 100-byte values of printable text, like log lines.
        let payload = Array(String(repeating: "0123456789abcdefghij", count: 5).utf8)
        for tp in tps {
            try await harness.produce(tp, count: count, batchSize: 1000) { index in
                var value = payload
                let digits = Array(String(index).utf8)
                value.replaceSubrange(0..<digits.count, with: digits)
                return value
            }
        }
        let inputBytes = try await tps.asyncReduce(0) { sum, tp in
            sum + (try await harness.broker.partition(tp)!.offsets().sizeBytes)
        }

        let started = ContinuousClock.now
        let sink = harness.start(harness.settings(["bench"]) {
            $0.format = format.rawValue
            $0.flushIntervalMs = 200
        })
        try await harness.waitForPosition(tps, Int64(count), timeout: .seconds(1800))
        let elapsed = ContinuousClock.now - started
        try await sink.stop()

        let contents = try tps.map { try harness.contents($0) }
        let outputBytes = contents.reduce(0) { $0 + $1.count }
        let seconds = elapsed.seconds
        let records = Double(count * partitions)
        let line = String(format: "file-sink benchmark: format=%@ partitions=%d records=%d: %.2f s, %.0f records/s, %.1f MB/s written (%.1f MB/s of stored batches)",
                          format.rawValue, partitions, count * partitions, seconds, records / seconds,
                          Double(outputBytes) / seconds / 1e6, Double(inputBytes) / seconds / 1e6)
        print(line)
        #expect(contents.allSatisfy { bytes in bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } == count }, "one line per record")
    }
}

extension Sequence {
    func asyncReduce<Result>(_ initial: Result, _ next: (Result, Element) async throws -> Result) async rethrows -> Result {
        var result = initial
        for element in self { result = try await next(result, element) }
        return result
    }
}
