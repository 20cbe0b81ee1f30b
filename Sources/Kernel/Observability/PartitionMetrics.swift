import Metrics

/// The per-topic throughput counters one partition records into, made once when the
/// partition opens so the produce and fetch paths never create a metric per request.
///
/// Names (swift-metrics labels; a Prometheus backend exports them as they are):
/// - `sluice_produced_records_total{topic}`: records appended (produce and connectors).
/// - `sluice_produced_bytes_total{topic}`: batch bytes appended.
/// - `sluice_fetched_records_total{topic}`: records returned by fetches, from the fetch
///   offset on (records of a batch before the fetch offset are not counted).
///
/// Several partitions of one topic hold counters with the same label and dimensions;
/// swift-metrics backends hand them the same underlying series.
public struct PartitionMetrics: Sendable {
    public let producedRecords: Counter
    public let producedBytes: Counter
    public let fetchedRecords: Counter

    /// - Parameter factory: the metrics backend; default the bootstrapped one
    ///   (benchmarks pass their own to compare backends in one process).
    public init(topic: String, factory: any MetricsFactory = MetricsSystem.factory) {
        let dimensions = [("topic", topic)]
        producedRecords = Counter(label: "sluice_produced_records_total", dimensions: dimensions, factory: factory)
        producedBytes = Counter(label: "sluice_produced_bytes_total", dimensions: dimensions, factory: factory)
        fetchedRecords = Counter(label: "sluice_fetched_records_total", dimensions: dimensions, factory: factory)
    }

    /// Records an append of `batches` (only the batches actually written, not retries).
    func recordAppend(_ batches: [RecordBatch]) {
        var records = 0
        var bytes = 0
        for batch in batches {
            records += Int(batch.recordCount)
            bytes += batch.byteCount
        }
        producedRecords.increment(by: records)
        producedBytes.increment(by: bytes)
    }
}
