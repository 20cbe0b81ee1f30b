import Foundation
@testable import KafkaWire
import Logging
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import SluiceMemory

/// A Kafka server on a free port in this process, over a broker with the memory plugins
/// (or the storage given).
struct TestServer {
    let broker: Broker
    let server: KafkaServer
    let address: HostPort
    private let task: Task<Void, any Error>

    static func start(config: KafkaConfiguration = KafkaConfiguration(), broker brokerConfig: BrokerConfig = BrokerConfig(),
                      storage: any LogStorage = MemoryLogStorage(),
                      metadata: any MetadataStore = MemoryMetadataStore(),
                      clock: @escaping @Sendable () -> Date = { Date() },
                      credentials: (any ScramCredentialSource)? = nil,
                      authorizer: (any Authorizer)? = nil) async throws -> TestServer {
        var config = config
        config.listen = "127.0.0.1:0"
        var logger = Logger(label: "kafka-test")
        logger.logLevel = ProcessInfo.processInfo.environment["SLUICE_TEST_LOG"] == nil ? .critical : .trace
        let broker = Broker(config: brokerConfig, storage: storage, metadata: metadata, logger: logger, clock: clock)
        try await broker.start()
        var services = ProtocolServices(broker: broker)
        if let credentials { services.credentials = credentials }
        if let authorizer { services.authorizer = authorizer }
        let server = KafkaServer(config: config, services: services, logger: logger)
        let task = Task { try await server.run() }
        let address = try await server.listeningAddress()
        return TestServer(broker: broker, server: server, address: address, task: task)
    }

    func client(id: String = "test") async throws -> KafkaClient {
        try await KafkaClient.connect(host: address.host, port: address.port, clientId: id)
    }

    /// The server's fetch session cache.
    var fetchSessions: FetchSessionCache { server.fetchSessions }

    func raw() throws -> RawConnection { try RawConnection(port: address.port) }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        await broker.shutdown()
    }
}

/// Runs `body` with a started server and stops it afterwards.
func withServer<T>(config: KafkaConfiguration = KafkaConfiguration(), broker: BrokerConfig = BrokerConfig(),
                   storage: any LogStorage = MemoryLogStorage(), metadata: any MetadataStore = MemoryMetadataStore(),
                   _ body: (TestServer) async throws -> T) async throws -> T {
    let server = try await TestServer.start(config: config, broker: broker, storage: storage, metadata: metadata)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Records for tests: `count` small keyed records.
func sampleRecords(_ count: Int, prefix: String = "v", timestamp: Int64 = 1_700_000_000_000) -> [Record] {
    (0..<count).map { index in
        Record(key: Array("k\(index)".utf8), value: Array("\(prefix)\(index)".utf8), timestamp: timestamp + Int64(index))
    }
}
