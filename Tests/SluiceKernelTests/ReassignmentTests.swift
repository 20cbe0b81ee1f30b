import Foundation
@testable import SluiceKernel
import SluiceMemory
import Testing

/// Partition reassignment through the controller of four in-process brokers: the test
/// plays the partition leader's ISR writes (these brokers run no replication), so every
/// step the controller takes shows in the coordinator and the brokers' local replicas.
@Suite("Partition reassignment")
struct ReassignmentTests {
    /// Writes the ISR a leader would once the new replicas caught up.
    func setIsr(_ isr: [Int32], of tp: TopicPartition, through session: InMemoryClusterSession) async throws {
        for _ in 0..<50 {
            let current = try #require(try await session.partitionState(tp))
            var state = current.state
            state.isr = isr
            do {
                _ = try await session.updatePartitionState(tp, state, expectedVersion: current.version)
                return
            } catch CoordinationError.versionConflict {
                continue
            }
        }
        Issue.record("the ISR of \(tp) kept changing")
    }

    @Test func movesAPartitionOffItsLeaderOntoANewBroker() async throws {
        let nodes = try await ThreeBrokers(count: 4)
        try await nodes.brokers[0].createTopic("moving", assignment: [[1, 2, 3]])
        let tp = TopicPartition("moving", 0)
        let controller = try await nodes.controllerNode()
        let results = try await controller.alterReassignments([tp: [4, 2, 3]])
        #expect(results.count == 1 && results[tp] == .some(nil), "\(results)")
        #expect(try await nodes.metadata.topics().first?.replicas == [[4, 2, 3, 1]], "target first, then the leaving replica")
        #expect(try await controller.reassignments()[tp] == PartitionReassignment(target: [4, 2, 3], original: [1, 2, 3]))
        try await waitUntil("broker 4 opened its new replica") { await nodes.brokers[3].partition(tp) != nil }
        #expect(try await nodes.sessions[0].partitionState(tp)?.state.leader == 1, "nothing moves before the target is in sync")

        try await setIsr([1, 2, 3, 4], of: tp, through: nodes.sessions[0])
        try await waitUntil("the controller finished the reassignment") {
            let state = try await nodes.sessions[0].partitionState(tp)?.state
            let replicas = try await nodes.metadata.topics().first?.replicas
            let running = try await nodes.sessions[0].reassignments()
            return state?.leader == 4 && state?.isr == [2, 3, 4] && replicas == [[4, 2, 3]] && running.isEmpty
        }
        try await waitUntil("broker 1 deleted its replica") { await nodes.brokers[0].partition(tp) == nil }
        let kept1 = await nodes.brokers[1].partition(tp), kept2 = await nodes.brokers[2].partition(tp)
        #expect(kept1 != nil && kept2 != nil, "the staying replicas keep their data")
        await nodes.stop()
    }

    @Test func aNewControllerFinishesAReassignmentTheOldOneStarted() async throws {
        let nodes = try await ThreeBrokers(count: 4)
        let first = try await nodes.controllerNode()
        let old = first.broker.config.id
        let others = [Int32(1), 2, 3, 4].filter { $0 != old }   // the partition stays off the dying controller
        try await nodes.brokers[Int(others[0] - 1)].createTopic("handover", assignment: [[others[0], others[1]]])
        let tp = TopicPartition("handover", 0)
        _ = try await first.alterReassignments([tp: [others[2], others[1]]])
        await nodes.cluster.expire(broker: old)
        let survivor = nodes.sessions[Int(others[0] - 1)]
        try await waitUntil("another broker became controller") {
            let now = try await survivor.controller()
            return now != nil && now!.brokerId != old
        }
        #expect(try await survivor.reassignments()[tp]?.target == [others[2], others[1]], "the reassignment outlived its controller")
        try await setIsr(others, of: tp, through: survivor)
        try await waitUntil("the new controller finished it") {
            let state = try await survivor.partitionState(tp)?.state
            let replicas = try await nodes.metadata.topics().first?.replicas
            let running = try await survivor.reassignments()
            return state?.leader == others[2] && Set(state?.isr ?? []) == [others[1], others[2]]
                && replicas == [[others[2], others[1]]] && running.isEmpty
        }
        await nodes.stop()
    }

    @Test func cancelReturnsToTheOriginalReplicas() async throws {
        let nodes = try await ThreeBrokers(count: 4)
        try await nodes.brokers[0].createTopic("undo", assignment: [[1, 2, 3]])
        let tp = TopicPartition("undo", 0)
        let controller = try await nodes.controllerNode()
        _ = try await controller.alterReassignments([tp: [1, 2, 4]])
        try await waitUntil("broker 4 opened its new replica") { await nodes.brokers[3].partition(tp) != nil }
        let cancelled = try await controller.alterReassignments([tp: nil])
        #expect(cancelled[tp] == .some(nil), "\(cancelled)")
        try await waitUntil("the partition is back on 1, 2, 3 and nothing runs") {
            let replicas = try await nodes.metadata.topics().first?.replicas
            let running = try await controller.reassignments()
            return replicas == [[1, 2, 3]] && running.isEmpty
        }
        try await waitUntil("broker 4 deleted the replica it had been given") { await nodes.brokers[3].partition(tp) == nil }
        await nodes.stop()
    }

    @Test func refusalsNameTheirReason() async throws {
        let nodes = try await ThreeBrokers(count: 3)
        try await nodes.brokers[0].createTopic("strict", assignment: [[1, 2]])
        let tp = TopicPartition("strict", 0)
        let controller = try await nodes.controllerNode()
        let results = try await controller.alterReassignments([
            tp: [1, 9], TopicPartition("strict", 5): [1, 2], TopicPartition("absent", 0): [1],
        ])
        guard case .some(.some(.invalidReplicaAssignment)) = results[tp] else { Issue.record("\(results)"); return }
        #expect(results[TopicPartition("strict", 5)] == .some(.unknownTopicOrPartition(TopicPartition("strict", 5))))
        #expect(results[TopicPartition("absent", 0)] == .some(.unknownTopicOrPartition(TopicPartition("absent", 0))))
        #expect(try await controller.alterReassignments([tp: nil])[tp] == .some(.noReassignmentInProgress(tp)))
        let other = nodes.nodes.first { $0 !== controller }!
        await #expect(throws: ClusterOperationError.self) { _ = try await other.alterReassignments([tp: [2, 1]]) }
        #expect(try await nodes.metadata.topics().first?.replicas == [[1, 2]], "nothing refused changed the assignment")
        await nodes.stop()
    }
}
