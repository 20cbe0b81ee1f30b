import ClusterCoordinatorConformance
import ConformanceKit
import Foundation
import MetadataStoreConformance
import SluiceKernel
import SluiceZooKeeper
import Testing

/// The kernel's `MetadataStore` and `ClusterCoordinator` contracts, run against the plugin
/// on a real standalone ZooKeeper server.
@Suite(.serialized) struct ZooKeeperConformanceTests {
    @Test func zookeeperStorePassesMetadataStoreConformance() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        var config = ZooKeeperMetadataFactory.Configuration()
        config.connect = server.hosts + "/conformance-\(UUID().uuidString)"
        #expect(config.validate().isEmpty)
        let settings = config
        let context = PluginContext(instanceName: "metadata", dataDirectory: server.directory, logger: .init(label: "conformance"))
        // Made through the factory, as `sluice serve` does; every call reconnects to the same chroot.
        let report = await MetadataStoreConformance(durable: true) {
            try await ZooKeeperMetadataFactory.make(settings, context: context)
        }.run()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.passed.count == MetadataStoreConformance.checkNames.count, "every check runs: \(report.passed)")
    }

    @Test func zookeeperStorePassesClusterCoordinatorConformance() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let report = await ClusterCoordinatorConformance {
            // Each check gets a chroot of its own: a fresh cluster on the same server.
            let connect = try ConnectString(server.hosts + "/cluster-\(UUID().uuidString)")
            return .init(newSession: {
                let store = try await ZooKeeperMetadataStore.open(connect: connect)
                return .init(coordinator: store, end: { try await store.close() })
            }, changeTopics: {
                let store = try await ZooKeeperMetadataStore.open(connect: connect)
                try await store.createTopic(TopicRecord(name: "changed-\(UUID().uuidString)", partitionCount: 1))
                try await store.close()
            })
        }.run()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.passed.count == ClusterCoordinatorConformance.checkNames.count, "every check runs: \(report.passed)")
    }
}
