import Foundation
import NIOSSL
import SluiceKernel

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

    /// Loads the TLS certificate chain and key named by the configuration.
    static func tlsContext(_ config: Configuration, context: PluginContext) throws(BeatsInputError) -> NIOSSLContext? {
        guard let certificatePath = config.certificatePath, let keyPath = config.keyPath else { return nil }
        let certificateFile = context.resolve(path: certificatePath).path
        let keyFile = context.resolve(path: keyPath).path
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
            guard !chain.isEmpty else { throw BeatsInputError.tlsSetupFailed("\(certificateFile) holds no PEM certificate") }
            let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            tls.minimumTLSVersion = .tlsv12
            return try NIOSSLContext(configuration: tls)
        } catch let error as BeatsInputError {
            throw error
        } catch {
            throw .tlsSetupFailed("loading \(certificateFile) and \(keyFile): \(error)")
        }
    }
}
