import ConformanceKit
import SluiceKernel

extension ClusterCoordinatorConformance {
    func registerAndLiveBrokers(_ sessions: Sessions) async throws {
        let (a, _, _) = try await sessions.next()
        let (b, _, _) = try await sessions.next()
        try await b.register(BrokerEndpoint(id: 2, host: "10.0.0.2", port: 9092, rack: "r2"))
        try await a.register(BrokerEndpoint(id: 1, host: "10.0.0.1", port: 9092))
        let live = try await b.liveBrokers()
        try conform(live == [BrokerEndpoint(id: 1, host: "10.0.0.1", port: 9092), BrokerEndpoint(id: 2, host: "10.0.0.2", port: 9092, rack: "r2")],
                    "liveBrokers must list both, sorted by id, with their endpoints, got \(live)")
        try await a.register(BrokerEndpoint(id: 1, host: "10.0.0.11", port: 9093))
        let moved = try await b.liveBrokers().first { $0.id == 1 }
        try conform(moved == BrokerEndpoint(id: 1, host: "10.0.0.11", port: 9093),
                    "registering again from the same session replaces the endpoint, got \(String(describing: moved))")
    }

    func duplicateBrokerIdRefused(_ sessions: Sessions) async throws {
        let (a, _, _) = try await sessions.next()
        let (b, _, _) = try await sessions.next()
        try await a.register(BrokerEndpoint(id: 7, host: "a", port: 1))
        try await conformThrows("registering a live broker's id from another session", {
            try await b.register(BrokerEndpoint(id: 7, host: "b", port: 2))
        }) { ($0 as? CoordinationError) == .brokerIdTaken(7) }
        let live = try await a.liveBrokers()
        try conform(live == [BrokerEndpoint(id: 7, host: "a", port: 1)], "the first registration must stay, got \(live)")
    }

    func sessionEndRemovesBrokerAndController(_ sessions: Sessions) async throws {
        let (a, _, sessionA) = try await sessions.next()
        let (b, events, _) = try await sessions.next()
        try await a.register(BrokerEndpoint(id: 1, host: "a", port: 1))
        try await b.register(BrokerEndpoint(id: 2, host: "b", port: 2))
        let claimed = try await a.claimController(brokerId: 1)
        try conform(claimed.brokerId == 1, "the first claimer becomes controller, got \(claimed)")
        await events.reset()
        try await sessionA.end()
        try await events.expect(.brokersChanged, "the others must hear that a broker's session ended")
        try await events.expect(.controllerChanged, "the others must hear that the controller's session ended")
        let live = try await b.liveBrokers()
        try conform(live.map(\.id) == [2], "an ended session's broker is not live, got \(live.map(\.id))")
        try conform(try await b.controller() == nil, "an ended session's controller claim is gone")
        try await b.register(BrokerEndpoint(id: 1, host: "b-too", port: 3))
        try conform(try await b.liveBrokers().map(\.id) == [1, 2], "the id of an ended session is free again")
    }

    func claimControllerOncePerEpoch(_ sessions: Sessions) async throws {
        let (a, _, _) = try await sessions.next()
        let (b, _, _) = try await sessions.next()
        try conform(try await a.controller() == nil, "a new cluster has no controller")
        let first = try await a.claimController(brokerId: 1)
        let second = try await b.claimController(brokerId: 2)
        try conform(first.brokerId == 1 && first.epoch > 0, "the first claimer is elected with a positive epoch, got \(first)")
        try conform(second == first, "a later claimer gets the elected controller, got \(second) instead of \(first)")
        try conform(try await b.controller() == first, "controller() names the elected one")
        try conform(try await a.claimController(brokerId: 1) == first, "claiming again while elected changes nothing")
    }

    func epochsIncreaseAcrossElections(_ sessions: Sessions) async throws {
        var last: Int32 = 0
        for id in Int32(1)...3 {
            let (coordinator, _, session) = try await sessions.next()
            let claimed = try await coordinator.claimController(brokerId: id)
            try conform(claimed.brokerId == id, "with no controller, broker \(id) is elected, got \(claimed)")
            try conform(claimed.epoch > last, "each election's epoch is above the last (\(last)), got \(claimed.epoch)")
            last = claimed.epoch
            try await session.end()
        }
    }

    func partitionStateLifecycle(_ sessions: Sessions) async throws {
        let (c, _, _) = try await sessions.next()
        let (other, _, _) = try await sessions.next()
        let s0 = PartitionState(leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 1)
        let s1 = PartitionState(leader: 2, leaderEpoch: 0, isr: [2, 1], controllerEpoch: 1)
        try conform(try await c.partitionState(TopicPartition("t", 0)) == nil, "an unknown partition has no state")
        try conform(try await c.partitionStates(topic: "t").isEmpty, "an unknown topic has no states")
        try await c.createPartitionStates(topic: "t", [0: s0, 1: s1])
        let read0 = try await other.partitionState(TopicPartition("t", 0))
        try conform(read0?.state == s0, "a created state reads back from another session, got \(String(describing: read0))")
        let all = try await other.partitionStates(topic: "t")
        try conform(all.keys.sorted() == [0, 1] && all[1]?.state == s1, "partitionStates lists both, got \(all)")
        guard let version = read0?.version else { return }
        let moved = PartitionState(leader: 2, leaderEpoch: 1, isr: [2], controllerEpoch: 1)
        let newVersion = try await c.updatePartitionState(TopicPartition("t", 0), moved, expectedVersion: version)
        try conform(newVersion != version, "an update returns a new version, got \(newVersion) again")
        let reread = try await other.partitionState(TopicPartition("t", 0))
        try conform(reread == VersionedPartitionState(state: moved, version: newVersion), "the update and its version read back, got \(String(describing: reread))")
        try await conformThrows("an update at a stale version", {
            try await other.updatePartitionState(TopicPartition("t", 0), s0, expectedVersion: version)
        }) { ($0 as? CoordinationError) == .versionConflict(TopicPartition("t", 0), expected: version) }
        try conform(try await c.partitionState(TopicPartition("t", 0))?.state == moved, "a refused update changes nothing")
        try await conformThrows("updating a partition without state", {
            try await c.updatePartitionState(TopicPartition("t", 5), s0, expectedVersion: 0)
        }) { ($0 as? CoordinationError) == .noState(TopicPartition("t", 5)) }
        let other1 = PartitionState(leader: 3, leaderEpoch: 9, isr: [3], controllerEpoch: 2)
        try await conformThrows("creating a state that exists", {
            try await other.createPartitionStates(topic: "t", [1: other1, 2: other1])
        }) { ($0 as? CoordinationError) == .stateExists(TopicPartition("t", 1)) }
        try conform(try await c.partitionState(TopicPartition("t", 2)) == nil, "a refused create creates none of its states")
        try conform(try await c.partitionState(TopicPartition("t", 1))?.state == s1, "a refused create changes no state")
        try await c.createPartitionStates(topic: "u", [0: s0])
        try await c.deletePartitionStates(topic: "t")
        try conform(try await other.partitionStates(topic: "t").isEmpty, "deleted states are gone")
        try conform(try await other.partitionState(TopicPartition("t", 0)) == nil, "a deleted state reads as none")
        try conform(try await other.partitionState(TopicPartition("u", 0))?.state == s0, "other topics' states stay")
        try await c.deletePartitionStates(topic: "t")
    }

    func eventsForEveryKind(_ sessions: Sessions) async throws {
        let (_, events, _) = try await sessions.next()
        let (b, _, _) = try await sessions.next()
        try await b.register(BrokerEndpoint(id: 4, host: "b", port: 4))
        try await events.expect(.brokersChanged, "a registration elsewhere")
        _ = try await b.claimController(brokerId: 4)
        try await events.expect(.controllerChanged, "an election elsewhere")
        try await sessions.cluster.changeTopics()
        try await events.expect(.topicsChanged, "a change of the topic registry")
        let tp = TopicPartition("ev", 0)
        let state = PartitionState(leader: 4, leaderEpoch: 0, isr: [4], controllerEpoch: 1)
        try await b.createPartitionStates(topic: "ev", [0: state])
        try await events.expect(.partitionStateChanged(tp), "a partition state created elsewhere")
        await events.reset()
        let version = try await b.partitionState(tp)?.version ?? -1
        _ = try await b.updatePartitionState(tp, PartitionState(leader: 4, leaderEpoch: 1, isr: [4], controllerEpoch: 1), expectedVersion: version)
        try await events.expect(.partitionStateChanged(tp), "a partition state updated elsewhere")
        await events.reset()
        try await b.deletePartitionStates(topic: "ev")
        try await events.expect(.partitionStateChanged(tp), "a partition state deleted elsewhere")
    }
}

extension ClusterCoordinatorConformance {
    func reassignmentsStoredAndRemovedWhileUnchanged(_ sessions: Sessions) async throws {
        let (a, _, _) = try await sessions.next()
        let (b, _, _) = try await sessions.next()
        try conform(try await a.reassignments().isEmpty, "a new cluster has no reassignments")
        let moving = TopicPartition("moving", 0), other = TopicPartition("other", 3)
        let first = PartitionReassignment(target: [4, 2, 3], original: [1, 2, 3])
        try await a.updateReassignments(set: [moving: first, other: PartitionReassignment(target: [2], original: [1])], remove: [:])
        let stored = try await b.reassignments()
        try conform(stored == [moving: first, other: PartitionReassignment(target: [2], original: [1])],
                    "another session reads what was stored, got \(stored)")
        let replaced = PartitionReassignment(target: [5, 2, 3], original: [1, 2, 3])
        try await b.updateReassignments(set: [moving: replaced], remove: [:])
        try await a.updateReassignments(set: [:], remove: [moving: first, other: PartitionReassignment(target: [2], original: [1])])
        let left = try await a.reassignments()
        try conform(left == [moving: replaced], "a removal names the value it finished; a newer entry stays, got \(left)")
    }
}
