import Logging

/// The controller's decisions, made by the one broker that holds the controller role:
/// when brokers come and go it moves leadership of partitions whose leader died to a live
/// in-sync replica (bumping the leader epoch), drops dead brokers from ISRs, and gives
/// leadership back to a partition's preferred replica (its first) once that is in sync.
/// Every write is conditional on the version read, so a leader's concurrent ISR change or
/// a newer controller wins and this one re-reads.
struct ClusterController: Sendable {
    let coordinator: any ClusterCoordinator
    let metadata: any MetadataStore
    let epoch: Int32
    let logger: Logger

    /// How many coordinator calls the controller keeps in flight at once: the coordinator
    /// pipelines them on its one session, so a broker's death costs a few round trips for
    /// all its partitions instead of one per partition.
    static let concurrentCalls = 64

    /// Looks at every partition and writes the changes it needs: every topic's states are
    /// read at once, then every change is written at once (each write conditional on the
    /// version read, as alone).
    func reconcile() async throws {
        let live = Set(try await coordinator.liveBrokers().map(\.id))
        let records = try await metadata.topics()
        let coordinator = self.coordinator
        var work: [Settlement] = []
        try await withThrowingTaskGroup(of: (TopicRecord, [Int32: VersionedPartitionState]).self) { group in
            var running = 0
            for record in records {
                if running >= Self.concurrentCalls, let (done, states) = try await group.next() {
                    running -= 1
                    work += Self.partitions(of: done, states)
                }
                running += 1
                group.addTask { (record, try await coordinator.partitionStates(topic: record.name)) }
            }
            for try await (done, states) in group { work += Self.partitions(of: done, states) }
        }
        let failure = await forEachConcurrently(work, atMost: Self.concurrentCalls) { item in
            do {
                try await self.settle(item.tp, item.state, replicas: item.replicas, live: live, unclean: item.unclean)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// One partition the reconcile judges: its state as read, its replicas and whether its
    /// topic allows unclean elections.
    private typealias Settlement = (tp: TopicPartition, state: VersionedPartitionState, replicas: [Int32], unclean: Bool)

    private static func partitions(of record: TopicRecord, _ states: [Int32: VersionedPartitionState]) -> [Settlement] {
        let unclean = uncleanElectionEnabled(record.configs)
        return states.sorted { $0.key < $1.key }.compactMap { index, current in
            Int(index) < record.replicas.count ? (TopicPartition(record.name, index), current, record.replicas[Int(index)], unclean) : nil
        }
    }

    /// Controlled shutdown of `brokerId`: every partition it leads moves to another live
    /// in-sync replica (epoch bumped) and it leaves every ISR that keeps another live
    /// member, as if it were gone; a partition with no other live in-sync replica keeps it
    /// as leader. Returns the partitions it still leads afterwards.
    func shutDown(_ brokerId: Int32) async throws -> [TopicPartition] {
        let live = Set(try await coordinator.liveBrokers().map(\.id)).subtracting([brokerId])
        var remaining: [TopicPartition] = []
        for record in try await metadata.topics() {
            let states = try await coordinator.partitionStates(topic: record.name)
            for (index, current) in states.sorted(by: { $0.key < $1.key }) where Int(index) < record.replicas.count {
                let tp = TopicPartition(record.name, index)
                guard current.state.isr.contains(brokerId) || current.state.leader == brokerId else { continue }
                guard let next = Self.decide(current.state, replicas: record.replicas[Int(index)], live: live, controllerEpoch: epoch),
                      next.leader != PartitionState.noLeader else {
                    // No other live in-sync replica: it keeps leading until it stops.
                    if current.state.leader == brokerId { remaining.append(tp) }
                    continue
                }
                do {
                    _ = try await coordinator.updatePartitionState(tp, next, expectedVersion: current.version)
                    logger.info("partition moved off a broker in controlled shutdown", metadata: [
                        "partition": "\(tp)", "broker": "\(brokerId)", "leader": "\(next.leader)",
                        "leaderEpoch": "\(next.leaderEpoch)", "isr": "\(next.isr)",
                    ])
                } catch CoordinationError.versionConflict {
                    // Changed meanwhile (an ISR write): the broker asks again.
                    if current.state.leader == brokerId { remaining.append(tp) }
                }
            }
        }
        return remaining
    }

    /// Writes the change one partition needs, judged from its state as just read (an
    /// event's) and the live brokers the caller knows, so a partition's own state changes
    /// cost the controller no further reads.
    /// With `unclean` (the topic's `unclean.leader.election.enable`) a partition whose
    /// in-sync replicas are all gone is given its first live replica as leader.
    func settle(_ tp: TopicPartition, _ current: VersionedPartitionState, replicas: [Int32], live: Set<Int32>,
                unclean: Bool = false) async throws {
        guard let next = Self.decide(current.state, replicas: replicas, live: live, controllerEpoch: epoch, unclean: unclean) else { return }
        if next.leader != PartitionState.noLeader && !current.state.isr.contains(next.leader) {
            logger.warning("unclean leader election (unclean.leader.election.enable): an out-of-sync replica leads; records it lacks are lost",
                           metadata: ["partition": "\(tp)", "leader": "\(next.leader)", "previousISR": "\(current.state.isr)"])
        }
        do {
            _ = try await coordinator.updatePartitionState(tp, next, expectedVersion: current.version)
            logger.info("partition state changed by the controller", metadata: [
                "partition": "\(tp)", "leader": "\(next.leader)", "leaderEpoch": "\(next.leaderEpoch)",
                "isr": "\(next.isr)", "previousLeader": "\(current.state.leader)",
            ])
        } catch CoordinationError.versionConflict {
            logger.debug("partition state of \(tp) changed meanwhile; the next event re-reads it")
        }
    }

    /// The state a partition should move to, or nil when it is fine as it is. `unclean`
    /// (default false) lets a live out-of-sync replica lead when no in-sync one is live.
    static func decide(_ state: PartitionState, replicas: [Int32], live: Set<Int32>, controllerEpoch: Int32,
                       unclean: Bool = false) -> PartitionState? {
        let liveISR = state.isr.filter { live.contains($0) }
        if liveISR.isEmpty, unclean, let chosen = replicas.first(where: { live.contains($0) }) {
            return PartitionState(leader: chosen, leaderEpoch: state.leaderEpoch + 1, isr: [chosen], controllerEpoch: controllerEpoch)
        }
        // With no live in-sync replica the ISR keeps its last members: one of them must come
        // back to lead (unless the topic allows an unclean election: it loses the records
        // the new leader lacks, acknowledged ones included).
        let isr = liveISR.isEmpty ? state.isr : liveISR
        var leader = state.leader
        if !live.contains(leader) || !isr.contains(leader) {
            leader = replicas.first { live.contains($0) && liveISR.contains($0) } ?? PartitionState.noLeader
        }
        if let preferred = replicas.first, preferred != leader, live.contains(preferred), liveISR.contains(preferred) {
            leader = preferred
        }
        guard leader != state.leader || isr != state.isr else { return nil }
        let epoch = leader != state.leader ? state.leaderEpoch + 1 : state.leaderEpoch
        return PartitionState(leader: leader, leaderEpoch: epoch, isr: isr,
                              controllerEpoch: leader != state.leader ? controllerEpoch : state.controllerEpoch)
    }
}
