import Foundation
import NIOSSL
import SluiceKernel
import SluiceTLS

/// `"plugin": "beats-input"` under `connectors`: a Lumberjack v2 server (the protocol of
/// Filebeat's and Logstash's `logstash`/`lumberjack` outputs) that writes every event as
/// one record to a topic, acknowledging a window only once all of its events are appended.
public enum BeatsInputFactory: ConnectorFactory {
    public static let name = "beats-input"
    public static let summary = "Lumberjack v2 server for Filebeat/Logstash: events become records in a topic"
    public static let kind = PluginKind.source

    public static func make(_ config: Configuration, services: ConnectorServices, context: PluginContext) async throws -> any Connector {
        try BeatsInput(config: config, services: services, context: context)
    }

    /// Loads the TLS certificate chain, key and client CA named by the configuration.
    static func tlsContext(_ config: Configuration, context: PluginContext) throws(BeatsInputError) -> NIOSSLContext? {
        guard let tls = config.tls else { return nil }
        do throws(TLSSetupError) {
            return try tls.makeServerContext(resolve: { context.resolve(path: $0).path })
        } catch {
            throw .tlsSetupFailed(error.description)
        }
    }
}
