import Foundation
@testable import KafkaWire
import Logging
import NIOCore
import ServiceLifecycle
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import SluiceMemory
import SluiceTLS
import Testing

@Suite struct ServerLifecycleTests {
    @Test func fileRegionsAreSentWithSendfileByteForByte() async throws {
        try await withServer(storage: FileRegionStorage()) { server in
            let client = try await server.client()
            try await client.createTopic("disk")
            for round in 0..<20 {
                try await client.produce(topic: "disk", partition: 0, records: sampleRecords(50, prefix: "r\(round)-"))
            }
            var offset: Int64 = 0
            var values: [String] = []
            while offset < 1000 {
                let fetched = try await client.fetch(topic: "disk", partition: 0, offset: offset, maxBytes: 4096)
                let records = try fetched.records()
                values += records.map { String(decoding: $0.value!, as: UTF8.self) }
                offset = records.last!.offset + 1
            }
            #expect(values == (0..<20).flatMap { round in (0..<50).map { "r\(round)-\($0)" } })
            await client.close()
        }
    }

    @Test func portFileHoldsTheBoundAddress() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-port-\(UUID().uuidString)").path
        defer { unlink(path) }
        var config = KafkaConfiguration()
        config.portFile = path
        try await withServer(config: config) { server in
            let written = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(written == "127.0.0.1:\(server.address.port)")
            #expect(server.address.port != 0)
        }
    }

    @Test func gracefulShutdownFinishesTheRequestInFlight() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let broker = Broker(config: BrokerConfig(), storage: MemoryLogStorage(), metadata: MemoryMetadataStore(), logger: logger)
        try await broker.start()
        var config = KafkaConfiguration()
        config.listen = "127.0.0.1:0"
        let server = KafkaServer(config: config, services: ProtocolServices(broker: broker), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let running = Task { try await group.run() }
        let address = try await server.listeningAddress()
        let client = try await KafkaClient.connect(host: address.host, port: address.port)
        try await client.createTopic("slow")
        // A long-poll fetch is in flight when shutdown starts; it still gets its answer.
        async let parked = client.fetch(topic: "slow", partition: 0, offset: 0, maxWaitMs: 1500)
        try await Task.sleep(for: .milliseconds(200))
        await group.triggerGracefulShutdown()
        let fetched = try await parked
        #expect(fetched.batches.readableBytes == 0)
        try await running.value
        await #expect(throws: KafkaClientError.self) {
            _ = try await KafkaClient.connect(host: address.host, port: address.port)
        }
        await client.close()
        await broker.shutdown()
    }

    @Test func bindFailureIsReportedWithTheAddress() async throws {
        try await withServer { first in
            var config = KafkaConfiguration()
            config.listen = "127.0.0.1:\(first.address.port)"
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let server = KafkaServer(config: config, services: ProtocolServices(broker: first.broker), logger: logger)
            do {
                try await server.run()
                Issue.record("a second server bound the same port")
            } catch let error as KafkaServerError {
                #expect(error.description.contains("127.0.0.1:\(first.address.port)"))
            }
        }
    }
}

@Suite struct ConfigurationTests {
    func problems(_ edit: (inout KafkaConfiguration) -> Void) -> [String] {
        var config = KafkaConfiguration()
        edit(&config)
        return config.validate().map(\.description)
    }

    @Test func defaultsAreValid() {
        #expect(problems { _ in }.isEmpty)
        #expect(KafkaConfiguration().listen == "127.0.0.1:9092")
        #expect(KafkaConfiguration().socketRequestMaxBytes == 104_857_600)
        #expect(KafkaConfiguration().connectionsMaxIdleMs == 600_000)
        #expect(KafkaConfiguration().connectionInflightMaxBytes == 16_777_216)
    }

    @Test func portsOutsideTheRangeAreNamed() {
        let found = problems { $0.listen = "127.0.0.1:70000" }
        #expect(found.count == 1 && found[0].hasPrefix("listen:") && found[0].contains("65535"))
        #expect(problems { $0.listen = "localhost" }.first?.contains("host:port") == true)
        #expect(problems { $0.advertised = "example.com:0" }.first?.hasPrefix("advertised:") == true)
        #expect(problems { $0.listen = "0.0.0.0:0" }.isEmpty)
    }

    @Test func limitsAreChecked() {
        #expect(problems { $0.socketRequestMaxBytes = 10 }.first?.hasPrefix("socketRequestMaxBytes:") == true)
        #expect(problems { $0.maxConnections = 0 }.first?.hasPrefix("maxConnections:") == true)
        #expect(problems { $0.portFile = "" }.first?.hasPrefix("portFile:") == true)
        #expect(problems { $0.connectionsMaxIdleMs = 10 }.first?.hasPrefix("connectionsMaxIdleMs:") == true)
        #expect(problems { $0.connectionInflightMaxBytes = 0 }.first?.hasPrefix("connectionInflightMaxBytes:") == true)
    }

    @Test func tlsSettingsDecodeAndAreChecked() throws {
        let config = try JSONDecoder().decode(KafkaConfiguration.self, from: Data(
            #"{"tls":{"certificatePath":"s.pem","keyPath":"s.key","caPath":"ca.pem","clientAuth":"requested"}}"#.utf8))
        #expect(config.tls == TLSSettings(certificatePath: "s.pem", keyPath: "s.key", caPath: "ca.pem", clientAuth: .requested))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(KafkaConfiguration.self, from: Data(#"{"tls":{"certificatePath":"a","keyPath":"b","clientAuth":"always"}}"#.utf8))
        }
        // Client authentication needs a CA; the shape is checked before the files are read.
        let found = problems { $0.tls = TLSSettings(certificatePath: "s.pem", keyPath: "s.key", clientAuth: .required) }
        #expect(found.count == 1 && found[0].hasPrefix("tls.caPath:"))
        // Files that cannot be read are named, with the key that names them.
        let missing = problems { $0.tls = TLSSettings(certificatePath: "/nonexistent/s.pem", keyPath: "/nonexistent/s.key") }
        #expect(missing.count == 1 && missing[0].contains("tls.certificatePath") && missing[0].contains("/nonexistent/s.pem"))
    }

    @Test func decodingTakesDefaultsForMissingKeys() throws {
        let config = try JSONDecoder().decode(KafkaConfiguration.self, from: Data(#"{"listen":"127.0.0.1:0"}"#.utf8))
        #expect(config.listen == "127.0.0.1:0" && config.maxConnections == 10_000 && config.advertised == nil)
    }
}
