import KafkaWire
import SluiceKernel

/// Registers the Kafka wire protocol as the `kafka` protocol plugin.
public enum KafkaProtocolFactory: ProtocolPluginFactory {
    public typealias Configuration = KafkaConfiguration

    public static let name = "kafka"
    public static let summary = "Kafka binary wire protocol: kcat, librdkafka, kafka-python, aiokafka and Java clients"

    public static func make(_ config: KafkaConfiguration, services: ProtocolServices, context: PluginContext) async throws -> any ProtocolPlugin {
        var config = config
        if let portFile = config.portFile {
            config.portFile = context.resolve(path: portFile).path
        }
        if var tls = config.tls {
            tls.certificatePath = context.resolve(path: tls.certificatePath).path
            tls.keyPath = context.resolve(path: tls.keyPath).path
            tls.caPath = tls.caPath.map { context.resolve(path: $0).path }
            config.tls = tls
        }
        return KafkaServer(config: config, services: services, logger: context.logger)
    }
}
