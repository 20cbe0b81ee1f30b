import Foundation
import SluiceKernel
@testable import SluiceZooKeeper
import Testing

/// Configuration problems and servers that cannot be reached fail clearly.
@Suite struct ZooKeeperConfigTests {
    private func problems(_ connect: String, sessionTimeoutMs: Int = 6_000) -> [String] {
        var config = ZooKeeperMetadataFactory.Configuration()
        config.connect = connect
        config.sessionTimeoutMs = sessionTimeoutMs
        return config.validate().map { "\($0.keyPath): \($0.message)" }
    }

    @Test func aMissingConnectStringIsReportedWithAnExample() {
        let found = ZooKeeperMetadataFactory.Configuration().validate()
        #expect(found.map(\.keyPath) == ["connect"])
        #expect(found.first?.message.contains("is required") == true && found.first?.message.contains("127.0.0.1:2181") == true)
    }

    @Test func badConnectStringsNameWhatIsWrong() {
        #expect(problems("zk1:2181,zk2:2181,zk3:2181/sluice/prod").isEmpty)
        #expect(problems("127.0.0.1:2181").isEmpty)
        #expect(problems("zk1").first?.contains("'zk1' is not host:port") == true, "\(problems("zk1"))")
        #expect(problems("zk1:99999").first?.contains("port from 1 to 65535") == true)
        #expect(problems("zk1:2181,,zk2:2181").first?.contains("'' is not host:port") == true, "\(problems("zk1:2181,,zk2:2181"))")
        #expect(problems("zk1:2181/").first?.contains("the chroot '/' is the root") == true)
        #expect(problems("zk1:2181/a/").first?.contains("must not end in '/'") == true)
        #expect(problems("/sluice").first?.contains("got no host") == true)
        #expect(problems("zk1:2181", sessionTimeoutMs: 10).first?.hasPrefix("sessionTimeoutMs: must be between") == true)
    }

    @Test func anUnreachableServerFailsAfterConnectTimeoutNamingTheConnectString() async throws {
        let port = try freePort()
        var config = ZooKeeperMetadataFactory.Configuration()
        config.connect = "127.0.0.1:\(port)/nowhere"
        config.connectTimeoutMs = 1_000
        let context = PluginContext(instanceName: "metadata", dataDirectory: FileManager.default.temporaryDirectory, logger: .init(label: "test"))
        let started = ContinuousClock.now
        do {
            _ = try await ZooKeeperMetadataFactory.make(config, context: context)
            Issue.record("connecting to a port nothing listens on must fail")
        } catch let error as MetadataError {
            guard case .unusable(let message) = error else { throw error }
            #expect(message.contains("127.0.0.1:\(port)/nowhere") && message.contains("1000 ms"), "\(message)")
        }
        #expect(ContinuousClock.now - started >= .milliseconds(1_000), "it waits connectTimeoutMs before giving up")
    }

    @Test func aMissingChrootIsCreated() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let chroot = "/deep/\(UUID().uuidString)/sluice"
        let store = try await ZooKeeperMetadataStore.open(connect: try ConnectString(server.hosts + chroot))
        try await store.createTopic(TopicRecord(name: "in-chroot", partitionCount: 1))
        try await store.close()
        let root = try await ZooKeeperClient.connect(try ConnectString(server.hosts))
        let topics = try await root.children(chroot + "/topics")
        await root.close()
        #expect(topics == ["in-chroot"], "the topic lives under the chroot")
    }
}
