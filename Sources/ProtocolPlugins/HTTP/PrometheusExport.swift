import Prometheus

/// The Prometheus backend behind `GET /metrics`. The composition root bootstraps
/// swift-metrics with `metricsFactory()` once, when the http plugin is configured;
/// every swift-metrics Counter, Meter and Timer of the kernel and the plugins then lands
/// in `registry`, which `/metrics` renders.
public enum PrometheusExport {
    /// The one registry of the process (swift-metrics' bootstrap is process-global too).
    public static let registry = PrometheusCollectorRegistry()

    /// Buckets of `sluice_request_duration_seconds`: Kafka requests take from tens of
    /// microseconds (metadata) to the fetch long-poll wait (seconds).
    static let requestDurationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    /// The swift-metrics factory to bootstrap: Timers become histograms in seconds.
    public static func metricsFactory() -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["sluice_request_duration_seconds"] = requestDurationBuckets
        return factory
    }
}
