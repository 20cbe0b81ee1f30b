import Foundation
import Metrics
import Prometheus
@testable import SluiceKernel
import SluiceMemory
import Testing

/// What recording the produce counters costs next to the append they count: the time of
/// N appends of 100-record batches to a broker (memory storage, so the append itself is
/// as cheap as it gets and the ratio is an upper bound), next to the time of recording N
/// such appends into Prometheus-backed counters. Prints figures; asserts nothing.
///
///     SLUICE_BENCHMARK=1 swift test --filter ProducePathMetricsBenchmark
@Suite("Produce-path metrics benchmark", .serialized, .enabled(if: ProcessInfo.processInfo.environment["SLUICE_BENCHMARK"] == "1"))
struct ProducePathMetricsBenchmark {
    @Test func recordingCostNextToAppendCost() async throws {
        let appends = 20_000
        let broker = Broker(config: BrokerConfig(), storage: MemoryLogStorage(), metadata: MemoryMetadataStore(), logger: .init(label: "bench"))
        try await broker.start()
        try await broker.createTopic("bench", partitions: 1)
        let records = (0..<100).map { Record(value: Array(repeating: UInt8(ascii: "x"), count: 100), timestamp: 1_700_000_000_000 + Int64($0)) }
        let batch = RecordBatchBuilder().build(records)
        let tp = TopicPartition("bench", 0)

        let appendStart = ContinuousClock.now
        for _ in 0..<appends { _ = try await broker.append([batch], to: tp) }
        let appendTime = ContinuousClock.now - appendStart

        let metrics = PartitionMetrics(topic: "bench", factory: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry()))
        let recordStart = ContinuousClock.now
        for _ in 0..<appends { metrics.recordAppend([batch]) }
        let recordTime = ContinuousClock.now - recordStart
        await broker.shutdown()

        let perAppend = appendTime / appends, perRecord = recordTime / appends
        let share = recordTime.seconds / appendTime.seconds * 100
        print("produce-path metrics: append of 100 records \(perAppend) each (memory storage); recording it in Prometheus counters \(perRecord) each = \(String(format: "%.2f", share)) % of the append")
    }
}
