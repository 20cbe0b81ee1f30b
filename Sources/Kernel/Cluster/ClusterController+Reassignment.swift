/// The controller's side of partition reassignment: once every target replica is in
/// sync it moves leadership into the target (when the leader is leaving), drops the
/// leaving replicas from the ISR, stores the target as the assignment (the leaving
/// brokers then delete their copies) and removes the finished entry. Each step is a
/// conditional or idempotent write, so a controller that dies half-way leaves a state the
/// next one finishes from.
extension ClusterController {
    /// Finishes `reassignment` if its target is in sync; true when it finished.
    @discardableResult
    func advance(_ tp: TopicPartition, _ reassignment: PartitionReassignment, _ current: VersionedPartitionState,
                 live: Set<Int32>) async throws -> Bool {
        let state = current.state
        guard Set(reassignment.target).isSubset(of: state.isr) else { return false }
        let isr = state.isr.filter { reassignment.target.contains($0) }
        var leader = state.leader
        if !reassignment.target.contains(leader) || !live.contains(leader) {
            guard let next = reassignment.target.first(where: { live.contains($0) && isr.contains($0) }) else { return false }
            leader = next
        }
        if leader != state.leader || isr != state.isr {
            let next = PartitionState(leader: leader, leaderEpoch: leader != state.leader ? state.leaderEpoch + 1 : state.leaderEpoch,
                                      isr: isr, controllerEpoch: leader != state.leader ? epoch : state.controllerEpoch)
            do {
                _ = try await coordinator.updatePartitionState(tp, next, expectedVersion: current.version)
            } catch CoordinationError.versionConflict {
                return false   // the leader changed the ISR meanwhile; its event brings us back
            }
        }
        try await metadata.setReplicas(topic: tp.topic, [tp.partition: reassignment.target])
        try await coordinator.updateReassignments(set: [:], remove: [tp: reassignment])
        logger.notice("partition reassignment finished", metadata: [
            "partition": "\(tp)", "replicas": "\(reassignment.target)", "removed": "\(reassignment.removing)",
            "leader": "\(leader)", "isr": "\(isr)",
        ])
        return true
    }

    /// Advances every stored reassignment; returns those still running.
    func advanceAll(live: Set<Int32>) async throws -> [TopicPartition: PartitionReassignment] {
        var running = try await coordinator.reassignments()
        for (tp, reassignment) in running {
            guard let state = try await coordinator.partitionState(tp) else {
                // The topic was deleted while it moved: nothing is left to finish.
                try await coordinator.updateReassignments(set: [:], remove: [tp: reassignment])
                running.removeValue(forKey: tp)
                continue
            }
            if try await advance(tp, reassignment, state, live: live) { running.removeValue(forKey: tp) }
        }
        return running
    }
}
