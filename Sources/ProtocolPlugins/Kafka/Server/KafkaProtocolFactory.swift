import KafkaWire
import SluiceTLS
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
        config.tls = config.tls?.resolvingPaths { context.resolve(path: $0).path }
        return KafkaServer(config: config, services: services, logger: context.logger)
    }
}
