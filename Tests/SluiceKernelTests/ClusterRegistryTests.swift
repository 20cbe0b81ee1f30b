import Foundation
import Logging
@testable import SluiceKernel
import SluiceMemory
import Testing

/// Three brokers in one process sharing a registry (one memory metadata store) and an
/// `InMemoryCluster`, each running its `ClusterNode`: topic admin through any broker,
/// the controller's failover and preferred-leader moves, group coordinator placement.
struct ThreeBrokers {
    let cluster = InMemoryCluster()
    let metadata = MemoryMetadataStore()
    var brokers: [Broker] = []
    var sessions: [InMemoryClusterSession] = []
    var nodes: [ClusterNode] = []
    var tasks: [Task<Void, Never>] = []

    init(count: Int = 3) async throws {
        for id in 1...Int32(count) {
            var config = BrokerConfig()
            config.id = id
            let session = cluster.session()
            let broker = Broker(config: config, storage: MemoryLogStorage(), metadata: metadata,
                                logger: Logger(label: "broker-\(id)"), coordinator: session)
            try await broker.start()
            await broker.listener.set(host: "127.0.0.1", port: 9000 + id)
            let node = ClusterNode(broker: broker, coordinator: session, view: broker.clusterView!,
                                   logger: Logger(label: "node-\(id)"), resyncIntervalMs: 100)
            tasks.append(Task { await node.run(listener: broker.listener) })
            brokers.append(broker)
            sessions.append(session)
            nodes.append(node)
        }
        let first = sessions[0]
        try await waitUntil("every broker registered") { try await first.liveBrokers().count == count }
    }

    /// The node holding the controller role, once one is elected.
    func controllerNode() async throws -> ClusterNode {
        try await waitUntil("a controller is elected and knows it") {
            for node in nodes where await node.isController { return true }
            return false
        }
        for node in nodes where await node.isController { return node }
        throw CancellationError()
    }

    func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        for broker in brokers { await broker.shutdown() }
    }
}

/// Polls `condition` every 20 ms for at most `seconds` (default 30: loaded CI machines); fails the test with `what` if it
/// never holds.
func waitUntil(_ what: String, seconds: Double = 30, _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out after \(seconds)s waiting until \(what)")
    throw CancellationError()
}

@Suite("Cluster registry and controller")
struct ClusterRegistryTests {
    @Test func spreadPutsLeadersEvenlyAndReplicasOnDistinctBrokers() {
        let assignment = ReplicaAssignment.spread(partitions: 0..<6, replicationFactor: 3, brokers: [1, 2, 3], start: 4, shift: 7)
        #expect(assignment.count == 6)
        #expect(assignment.allSatisfy { Set($0).count == 3 })
        let leaders = Dictionary(grouping: assignment.map { $0[0] }, by: { $0 }).mapValues(\.count)
        #expect(leaders == [1: 2, 2: 2, 3: 2])
        let wide = ReplicaAssignment.spread(partitions: 0..<20, replicationFactor: 2, brokers: [1, 2, 3, 4, 5])
        #expect(wide.allSatisfy { $0.count == 2 && $0[0] != $0[1] })
        let followers = Set(wide.map { $0[1] })
        #expect(followers.count == 5, "followers spread over every broker: \(followers)")
    }

    @Test func explicitAssignmentsAreChecked() {
        #expect(throws: BrokerError.self) { try ReplicaAssignment.validate([[1, 1]], liveBrokers: [1, 2]) }
        #expect(throws: BrokerError.self) { try ReplicaAssignment.validate([[1, 9]], liveBrokers: [1, 2]) }
        #expect(throws: BrokerError.self) { try ReplicaAssignment.validate([[1, 2], [1]], liveBrokers: [1, 2]) }
        #expect(throws: BrokerError.self) { try ReplicaAssignment.validate([[]], liveBrokers: [1, 2]) }
        #expect(throws: Never.self) { try ReplicaAssignment.validate([[2, 1], [1, 2]], liveBrokers: [1, 2]) }
    }

    @Test func controllerDecisions() {
        let state = PartitionState(leader: 1, leaderEpoch: 4, isr: [1, 2, 3], controllerEpoch: 1)
        // The leader died: the next in-sync replica in assignment order leads, epoch + 1.
        let moved = ClusterController.decide(state, replicas: [1, 2, 3], live: [2, 3], controllerEpoch: 2)
        #expect(moved == PartitionState(leader: 2, leaderEpoch: 5, isr: [2, 3], controllerEpoch: 2))
        // A follower died: it leaves the ISR, the leader and epoch stay.
        let shrunk = ClusterController.decide(state, replicas: [1, 2, 3], live: [1, 2], controllerEpoch: 2)
        #expect(shrunk == PartitionState(leader: 1, leaderEpoch: 4, isr: [1, 2], controllerEpoch: 1))
        // Nothing to do.
        #expect(ClusterController.decide(state, replicas: [1, 2, 3], live: [1, 2, 3], controllerEpoch: 2) == nil)
        // No in-sync replica alive: offline, the ISR keeps its last members (no unclean election).
        let lonely = PartitionState(leader: 1, leaderEpoch: 4, isr: [1], controllerEpoch: 1)
        let offline = ClusterController.decide(lonely, replicas: [1, 2, 3], live: [2, 3], controllerEpoch: 2)
        #expect(offline == PartitionState(leader: -1, leaderEpoch: 5, isr: [1], controllerEpoch: 2))
        // ...until that replica returns.
        let back = ClusterController.decide(offline!, replicas: [1, 2, 3], live: [1, 2, 3], controllerEpoch: 2)
        #expect(back?.leader == 1 && back?.leaderEpoch == 6)
        // The preferred replica, back in sync, takes leadership back.
        let notPreferred = PartitionState(leader: 2, leaderEpoch: 5, isr: [2, 3, 1], controllerEpoch: 2)
        let preferred = ClusterController.decide(notPreferred, replicas: [1, 2, 3], live: [1, 2, 3], controllerEpoch: 2)
        #expect(preferred?.leader == 1 && preferred?.leaderEpoch == 6)
        // ...but not while it is out of sync.
        let lagging = PartitionState(leader: 2, leaderEpoch: 5, isr: [2, 3], controllerEpoch: 2)
        #expect(ClusterController.decide(lagging, replicas: [1, 2, 3], live: [1, 2, 3], controllerEpoch: 2) == nil)
    }

    @Test func topicCreatedThroughOneBrokerIsSeenByAllWithStates() async throws {
        let nodes = try await ThreeBrokers()
        let record = try await nodes.brokers[0].createTopic("orders", partitions: 6, replicationFactor: 3)
        #expect(record.replicas.count == 6 && record.replicas.allSatisfy { Set($0).count == 3 })
        for broker in nodes.brokers {
            try await waitUntil("broker \(broker.config.id) opened its replicas") {
                await broker.localPartitions().count == 6
            }
            try await waitUntil("broker \(broker.config.id) sees every partition state") {
                var known = 0
                for p in Int32(0)..<6 where await broker.clusterView!.state(TopicPartition("orders", p)) != nil { known += 1 }
                return known == 6
            }
        }
        var leaders: Set<Int32> = []
        for p in Int32(0)..<6 { leaders.insert(await nodes.brokers[2].clusterView!.state(TopicPartition("orders", p))!.leader) }
        #expect(leaders == [1, 2, 3], "leaders spread over all three brokers")
        // Replication factor above the live brokers is refused with a clear reason.
        await #expect(throws: BrokerError.self) { try await nodes.brokers[1].createTopic("wide", replicationFactor: 4) }
        // Deleting through another broker removes the topic everywhere.
        try await nodes.brokers[1].deleteTopic("orders")
        for broker in nodes.brokers {
            try await waitUntil("broker \(broker.config.id) dropped the topic") { await broker.topic(named: "orders") == nil }
        }
        #expect(try await nodes.sessions[0].partitionStates(topic: "orders").isEmpty)
        await nodes.stop()
    }

    @Test func controllerMovesLeadershipOffADeadBrokerAndBack() async throws {
        let nodes = try await ThreeBrokers()
        try await nodes.brokers[0].createTopic("events", assignment: [[2, 1, 3], [3, 2, 1]])
        let tp = TopicPartition("events", 0)
        try await waitUntil("a controller is elected") { try await nodes.sessions[0].controller() != nil }
        await nodes.cluster.expire(broker: 2)
        try await waitUntil("leadership of events-0 moved off broker 2") {
            let state = try await nodes.sessions[0].partitionState(tp)?.state
            return state?.leader == 1 && state?.leaderEpoch == 1 && state?.isr == [1, 3]
        }
        let other = try await nodes.sessions[0].partitionState(TopicPartition("events", 1))?.state
        #expect(other?.leader == 3 && other?.isr == [3, 1], "a follower's death only shrinks the ISR: \(String(describing: other))")
        try await waitUntil("the surviving brokers' views agree") {
            await nodes.brokers[2].clusterView!.state(tp)?.leader == 1
        }
        await nodes.stop()
    }

    @Test func controllerRoleMovesWhenTheControllerDies() async throws {
        let nodes = try await ThreeBrokers()
        try await waitUntil("a controller is elected") { try await nodes.sessions[0].controller() != nil }
        let first = try await nodes.sessions[0].controller()!
        await nodes.cluster.expire(broker: first.brokerId)
        let survivor = nodes.sessions.indices.first { Int32($0 + 1) != first.brokerId }!
        try await waitUntil("another broker took the controller role") {
            let now = try await nodes.sessions[survivor].controller()
            return now != nil && now!.brokerId != first.brokerId && now!.epoch > first.epoch
        }
        await nodes.stop()
    }

    @Test func everyBrokerAgreesOnEachGroupsCoordinator() async throws {
        let nodes = try await ThreeBrokers()
        for broker in nodes.brokers {
            try await waitUntil("broker \(broker.config.id) sees three brokers") { await broker.clusterView!.brokers.count == 3 }
        }
        var owners: Set<Int32> = []
        for group in (0..<30).map({ "group-\($0)" }) {
            var answers: Set<Int32> = []
            for broker in nodes.brokers { answers.insert(await broker.clusterView!.groupCoordinator(for: group)!.id) }
            #expect(answers.count == 1, "\(group): \(answers)")
            owners.formUnion(answers)
            let owner = answers.first!
            for broker in nodes.brokers {
                #expect(await broker.groups.coordinates(group) == (broker.config.id == owner))
            }
        }
        #expect(owners == [1, 2, 3], "30 groups spread over the three brokers")
        await nodes.stop()
    }
}
