import Metrics
import SluiceKernel
import SluiceTLS

/// Registers the `http` protocol plugin: Prometheus metrics, health checks, a read-only
/// JSON admin API and the web console, all reading the broker through the kernel.
public enum HTTPProtocolFactory: ProtocolPluginFactory {
    public typealias Configuration = HTTPConfiguration
    public static let name = "http"
    public static let summary = "HTTP: /metrics (Prometheus), /healthz, /readyz, read-only /api and the web console at /"

    public static func make(_ config: HTTPConfiguration, services: ProtocolServices, context: PluginContext) async throws -> any ProtocolPlugin {
        var config = config
        config.tls = config.tls?.resolvingPaths { context.resolve(path: $0).path }
        return HTTPServer(config: config, services: services, context: context)
    }

    /// Prometheus: without the http plugin every metric stays swift-metrics' no-op.
    public static func metricsBackend() -> (any MetricsFactory)? {
        PrometheusExport.metricsFactory()
    }
}
