import Foundation
@testable import KafkaWire
import Logging
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
@testable import SluiceKernel
import SluiceMemory
import SluiceSegmentLog

/// One broker of an in-process cluster: segment-log storage in its own directory, its own
/// metadata store holding the test's topics, the real Kafka listener on 127.0.0.1:0, its
/// session with the shared `InMemoryCluster`, and a `ReplicaManager` over `KafkaReplicaTransport`.
final class ClusterNode: @unchecked Sendable {
    let id: Int32
    let directory: URL
    let broker: Broker
    let server: KafkaServer
    let session: InMemoryClusterSession
    let manager: ReplicaManager
    let endpoint: BrokerEndpoint
    private let serverTask: Task<Void, any Error>
    private(set) var stopped = false

    private init(id: Int32, directory: URL, broker: Broker, server: KafkaServer, session: InMemoryClusterSession,
                 manager: ReplicaManager, endpoint: BrokerEndpoint, serverTask: Task<Void, any Error>) {
        self.id = id
        self.directory = directory
        self.broker = broker
        self.server = server
        self.session = session
        self.manager = manager
        self.endpoint = endpoint
        self.serverTask = serverTask
    }

    static func start(id: Int32, directory: URL, cluster: InMemoryCluster, topics: [TopicRecord],
                      replication: ReplicationConfig) async throws -> ClusterNode {
        var logger = Logger(label: "replication-test")
        logger.logLevel = ProcessInfo.processInfo.environment["SLUICE_TEST_LOG"] == nil ? .critical : .debug
        logger[metadataKey: "node"] = "\(id)"
        var storageConfig = SegmentLogStorageFactory.Configuration()
        storageConfig.flush = .never
        let storage = try SegmentLogStorage(configuration: storageConfig, directory: directory, logger: logger)
        let metadata = MemoryMetadataStore()
        for topic in topics { try await metadata.createTopic(topic) }
        let broker = Broker(config: BrokerConfig(), storage: storage, metadata: metadata, logger: logger)
        try await broker.start()
        var kafka = KafkaConfiguration()
        kafka.listen = "127.0.0.1:0"
        let server = KafkaServer(config: kafka, services: ProtocolServices(broker: broker), logger: logger)
        let serverTask = Task { try await server.run() }
        let address = try await server.listeningAddress()
        let endpoint = BrokerEndpoint(id: id, host: address.host, port: Int32(address.port))
        let session = cluster.session()
        try await session.register(endpoint)
        var config = replication
        config.brokerId = id
        // Where `sluice serve` keeps it: beside the partitions in the data directory.
        config.highWatermarkCheckpointPath = directory.appendingPathComponent(HighWatermarkCheckpoint.fileName).path
        let transport = KafkaReplicaTransport(clientId: "sluice-replica-\(id)", logger: logger)
        let manager = ReplicaManager(broker: broker, coordinator: session, transport: transport, config: config, logger: logger)
        try await manager.start()
        return ClusterNode(id: id, directory: directory, broker: broker, server: server, session: session,
                           manager: manager, endpoint: endpoint, serverTask: serverTask)
    }

    func client() async throws -> KafkaClient {
        try await KafkaClient.connect(host: endpoint.host, port: Int(endpoint.port), clientId: "test-\(id)")
    }

    /// Stops the broker as a crash would end it: replication, listener, session.
    func stop() async {
        guard !stopped else { return }
        stopped = true
        await manager.shutdown()
        serverTask.cancel()
        _ = try? await serverTask.value
        await broker.shutdown()
        await session.expire()
    }

    /// Only the listener: the broker keeps running (and accepts in-process appends) but
    /// no other broker reaches it.
    func stopListener() async {
        serverTask.cancel()
        _ = try? await serverTask.value
    }

    /// The partition's log as stored: every batch from the log start, as bytes.
    func storedBatches(_ tp: TopicPartition) async throws -> [RecordBatch] {
        guard let partition = await broker.partition(tp) else { return [] }
        let offsets = try await partition.log.offsets()
        let read = try await partition.log.read(from: offsets.logStartOffset, maxBytes: 1 << 30, maxOffset: nil, minOneBatch: true)
        return try RecordBatch.parse(read.payload.load())
    }

    func info(_ tp: TopicPartition) async -> PartitionReplicaInfo? { await broker.replicaInfo(tp) }
}

/// Three (or more) brokers sharing an `InMemoryCluster`; the test plays controller by
/// writing partition states through `controller`.
final class ReplicationCluster: @unchecked Sendable {
    let cluster = InMemoryCluster()
    let controller: InMemoryClusterSession
    let root: URL
    let topics: [TopicRecord]
    let replication: ReplicationConfig
    var nodes: [Int32: ClusterNode] = [:]

    init(brokers: [Int32] = [1, 2, 3], topics: [TopicRecord], replication: ReplicationConfig) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-repl-\(UUID().uuidString)")
        self.topics = topics
        self.replication = replication
        controller = cluster.session()
        for id in brokers { try await start(id) }
    }

    func start(_ id: Int32) async throws {
        nodes[id] = try await ClusterNode.start(id: id, directory: root.appendingPathComponent("broker-\(id)"), cluster: cluster,
                                                topics: topics, replication: replication)
    }

    subscript(id: Int32) -> ClusterNode { nodes[id]! }

    /// Writes a partition state as a controller would (creates it or replaces the stored
    /// one), then waits until the leader, if running, leads in that epoch — as a client
    /// would retry until then.
    func setState(_ tp: TopicPartition, leader: Int32, epoch: Int32, isr: [Int32]) async throws {
        let state = PartitionState(leader: leader, leaderEpoch: epoch, isr: isr, controllerEpoch: 1)
        if let current = try await controller.partitionState(tp) {
            _ = try await controller.updatePartitionState(tp, state, expectedVersion: current.version)
        } else {
            try await controller.createPartitionStates(topic: tp.topic, [tp.partition: state])
        }
        guard let node = nodes[leader], !node.stopped else { return }
        let led = await eventually {
            let info = await node.info(tp)
            return info?.role == .leader && info?.leaderEpoch == epoch
        }
        if !led { throw ReplicationTestError.noLeader(tp, leader) }
    }

    func isr(_ tp: TopicPartition) async throws -> [Int32] { try await controller.partitionState(tp)?.state.isr ?? [] }

    func stopAll() async {
        for node in nodes.values { await node.stop() }
        try? FileManager.default.removeItem(at: root)
    }
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Test settings: short waits so failures and recoveries show within seconds.
func testReplication(lagMs: Int64 = 30_000) -> ReplicationConfig {
    ReplicationConfig(brokerId: 0, replicaLagTimeMs: lagMs, fetchMaxWaitMs: 200, retryBackoffMs: 50, resyncIntervalMs: 300)
}

/// Runs `body` with a started cluster and stops every broker (and removes the
/// directories) afterwards, also when `body` throws.
func withCluster(brokers: [Int32] = [1, 2, 3], topics: [TopicRecord], replication: ReplicationConfig,
                 _ body: (ReplicationCluster) async throws -> Void) async throws {
    let cluster = try await ReplicationCluster(brokers: brokers, topics: topics, replication: replication)
    do {
        try await body(cluster)
        await cluster.stopAll()
    } catch {
        await cluster.stopAll()
        throw error
    }
}

enum ReplicationTestError: Error {
    case noLeader(TopicPartition, Int32)
}
