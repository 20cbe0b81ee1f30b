import SluiceKernel

/// Registers the `http` protocol plugin: Prometheus metrics, health checks, a read-only
/// JSON admin API and the web console, all reading the broker through the kernel.
public enum HTTPProtocolFactory: ProtocolPluginFactory {
    public typealias Configuration = HTTPConfiguration
    public static let name = "http"
    public static let summary = "HTTP: /metrics (Prometheus), /healthz, /readyz, read-only /api and the web console at /"

    public static func make(_ config: HTTPConfiguration, broker: Broker, context: PluginContext) async throws -> any ProtocolPlugin {
        HTTPServer(config: config, broker: broker, context: context)
    }
}
