import Logging

/// Which leader an ElectLeaders request asks for (Kafka's election types).
public enum ElectionType: Int8, Sendable, CaseIterable {
    /// The preferred replica (the first assigned), when it is live and in sync.
    case preferred = 0
    /// For a partition with no live in-sync leader: the first live in-sync replica, else
    /// the first live replica at all, even out of sync (records it lacks are lost).
    case unclean = 1
}

/// Elections an operator asks for (ElectLeaders), beside the controller's own decisions.
/// An unclean election asked for this way runs whatever the topic's
/// `unclean.leader.election.enable` says, as in Kafka: the operator accepts the loss.
extension ClusterController {
    /// Whether the topic's configs let the controller elect an out-of-sync replica by itself
    /// (`unclean.leader.election.enable`, default false).
    static func uncleanElectionEnabled(_ configs: [String: String]) -> Bool {
        configs["unclean.leader.election.enable"]?.lowercased() == "true"
    }

    /// The state an election of `type` gives a partition, or why it gives none.
    static func elect(_ type: ElectionType, _ tp: TopicPartition, _ state: PartitionState, replicas: [Int32],
                      live: Set<Int32>, controllerEpoch: Int32) -> Result<PartitionState, ClusterOperationError> {
        let liveISR = state.isr.filter { live.contains($0) }
        var isr = liveISR
        let chosen: Int32
        switch type {
        case .preferred:
            guard let preferred = replicas.first else { return .failure(.eligibleLeadersNotAvailable(tp)) }
            if state.leader == preferred && live.contains(preferred) { return .failure(.electionNotNeeded(tp)) }
            guard liveISR.contains(preferred) else { return .failure(.preferredLeaderNotAvailable(tp, preferred: preferred)) }
            chosen = preferred
        case .unclean:
            if live.contains(state.leader) && liveISR.contains(state.leader) { return .failure(.electionNotNeeded(tp)) }
            if let inSync = replicas.first(where: { liveISR.contains($0) }) {
                chosen = inSync
            } else if let any = replicas.first(where: { live.contains($0) }) {
                chosen = any
                isr = [any]
            } else {
                return .failure(.eligibleLeadersNotAvailable(tp))
            }
        }
        return .success(PartitionState(leader: chosen, leaderEpoch: state.leaderEpoch + 1, isr: isr, controllerEpoch: controllerEpoch))
    }

    /// Runs an election on one partition: reads its state, decides, writes conditionally
    /// (re-reading after a concurrent change, three times at most). Nil when elected.
    func elect(_ type: ElectionType, _ tp: TopicPartition, replicas: [Int32], live: Set<Int32>) async throws -> ClusterOperationError? {
        for _ in 0..<3 {
            guard let current = try await coordinator.partitionState(tp) else { return .unknownTopicOrPartition(tp) }
            switch Self.elect(type, tp, current.state, replicas: replicas, live: live, controllerEpoch: epoch) {
            case .failure(let why):
                return why
            case .success(let next):
                do {
                    _ = try await coordinator.updatePartitionState(tp, next, expectedVersion: current.version)
                } catch CoordinationError.versionConflict {
                    continue
                }
                let metadata: Logger.Metadata = [
                    "partition": "\(tp)", "type": "\(type)", "leader": "\(next.leader)", "leaderEpoch": "\(next.leaderEpoch)",
                    "isr": "\(next.isr)", "previousLeader": "\(current.state.leader)",
                ]
                if type == .unclean && !current.state.isr.contains(next.leader) {
                    logger.warning("unclean leader election: an out-of-sync replica leads; records it lacks are lost", metadata: metadata)
                } else {
                    logger.notice("leader elected on request", metadata: metadata)
                }
                return nil
            }
        }
        return .unavailable("the state of \(tp) kept changing during the election")
    }
}
