import Foundation

/// The leader's side of replication: becoming leader, serving follower fetches, the ISR
/// and the high watermark (min log end offset over the ISR).
extension Partition {
    /// The high watermark in cluster mode (nil on a single node): what the checkpoint keeps.
    func clusteredHighWatermark() -> Int64? { clustered ? highWatermark : nil }

    /// Replication role and state now.
    public func replicaInfo() -> PartitionReplicaInfo {
        if let leader = leadership {
            return PartitionReplicaInfo(role: .leader, leader: leader.localId, leaderEpoch: leader.epoch, isr: leader.isr,
                                        highWatermark: highWatermark, logEndOffset: logEndOffset)
        }
        if clustered, let following {
            return PartitionReplicaInfo(role: .follower, leader: following.leader, leaderEpoch: following.epoch, isr: [],
                                        highWatermark: highWatermark, logEndOffset: logEndOffset)
        }
        return PartitionReplicaInfo(role: .standalone, leader: -1, leaderEpoch: -1, isr: [],
                                    highWatermark: highWatermark, logEndOffset: logEndOffset)
    }

    /// Enters cluster mode with no leader known yet (produce and fetch answer
    /// NOT_LEADER_OR_FOLLOWER until the ReplicaManager assigns a role) and rebuilds the
    /// leader-epoch cache from the log. The high watermark restarts at `checkpointed`
    /// (the high-watermark checkpoint's mark), within the log; without one at the log
    /// start: the log's tail may hold records no other replica has, which consumers must
    /// not see until the followers confirm them.
    func enterClusterMode(checkpointed: Int64?) async throws {
        guard !clustered else { return }
        clustered = true
        highWatermark = min(max(checkpointed ?? logStartOffset, logStartOffset), logEndOffset)
        following = FollowerState(leader: PartitionState.noLeader, epoch: -1)
        epochCache = try await LeaderEpochCache.rebuild(from: log, logStartOffset: logStartOffset, logEndOffset: logEndOffset)
    }

    /// Leader epochs of the log, oldest first (for tests and admin views).
    public func leaderEpochs() -> [(epoch: Int32, startOffset: Int64)] {
        epochCache.entries.map { ($0.epoch, $0.startOffset) }
    }

    /// Takes or keeps leadership for `state.leaderEpoch`. A new epoch starts at the log
    /// end; follower progress starts unknown, so the high watermark waits for their fetches.
    /// The same epoch again only refreshes the ISR and the state version.
    func becomeLeader(localId: Int32, state: VersionedPartitionState, replicas: [Int32],
                      listener: @escaping @Sendable (TopicPartition) -> Void) async {
        await beginAppend()
        defer { endAppend() }
        clustered = true
        isrChangeListener = listener
        if var leader = leadership, leader.epoch == state.state.leaderEpoch {
            leader.isr = state.state.isr
            leader.replicas = replicas
            leader.stateVersion = state.version
            leader.controllerEpoch = state.state.controllerEpoch
            leadership = leader
            isrChanged()
            return
        }
        following = nil
        epochCache.assign(epoch: state.state.leaderEpoch, startOffset: logEndOffset)
        let now = ContinuousClock.now
        var followers: [Int32: FollowerProgress] = [:]
        for id in replicas where id != localId { followers[id] = FollowerProgress(lastCaughtUp: now) }
        leadership = LeaderState(localId: localId, epoch: state.state.leaderEpoch, isr: state.state.isr, replicas: replicas,
                                 stateVersion: state.version, controllerEpoch: state.state.controllerEpoch,
                                 epochStartOffset: logEndOffset, followers: followers)
        isrChanged()
    }

    /// The ISR as written to the coordinator at `version`, after the leader's own write.
    func applyIsr(_ isr: [Int32], version: Int32, epoch: Int32) {
        guard var leader = leadership, leader.epoch == epoch else { return }
        leader.isr = isr
        leader.stateVersion = version
        leadership = leader
        isrChanged()
    }

    private func isrChanged() {
        maybeAdvanceHighWatermark()
        failAckWaitersBelowMinimum()
    }

    /// Throws unless this broker leads the partition with at least `minInsync` in sync.
    func checkLeaderForAppend(minInsync: Int?) throws(BrokerError) -> Int32 {
        guard let leader = leadership else { throw .notLeaderOrFollower(topicPartition, leader: following?.leader) }
        if let minInsync, leader.isr.count < minInsync {
            throw .notEnoughReplicas(topicPartition, isr: leader.isr.count, required: minInsync)
        }
        return leader.epoch
    }

    /// After a leader append: followers waiting at the old log end may fetch now.
    func leaderAppended() {
        wakeLogEndWaiters(all: false)
        maybeAdvanceHighWatermark()
    }

    func checkConsumerRead(currentLeaderEpoch: Int32) throws(BrokerError) {
        guard let leader = leadership else { throw .notLeaderOrFollower(topicPartition, leader: following?.leader) }
        try checkEpoch(currentLeaderEpoch, current: leader.epoch)
    }

    /// The leader epoch a consumer request is served in (-1 on a single node), or the
    /// refusal: not the leader, or a stale or unknown epoch.
    func leaderEpochForConsumer(currentLeaderEpoch: Int32) throws(BrokerError) -> Int32 {
        guard clustered else { return -1 }
        try checkConsumerRead(currentLeaderEpoch: currentLeaderEpoch)
        return leadership?.epoch ?? -1
    }

    /// Kafka's fencing: -1 means "not given"; older is fenced, newer is not yet known here.
    func checkEpoch(_ requested: Int32, current: Int32) throws(BrokerError) {
        guard requested >= 0 else { return }
        if requested < current { throw .fencedLeaderEpoch(topicPartition, requested: requested, current: current) }
        if requested > current { throw .unknownLeaderEpoch(topicPartition, requested: requested, current: current) }
    }

    /// A follower's fetch: records its progress (its fetch offset is its log end), moves
    /// the high watermark, and reads up to the log end (not the high watermark).
    func readForReplica(_ replicaId: Int32, from offset: Int64, maxBytes: Int, minOneBatch: Bool,
                        currentLeaderEpoch: Int32) async throws -> LogReadResult {
        guard let leader = leadership else { throw BrokerError.notLeaderOrFollower(topicPartition, leader: following?.leader) }
        try checkEpoch(currentLeaderEpoch, current: leader.epoch)
        guard leader.replicas.contains(replicaId), replicaId != leader.localId else {
            throw BrokerError.notLeaderOrFollower(topicPartition, leader: leader.localId)
        }
        recordFollowerFetch(replicaId, offset: offset)
        do {
            return try await log.read(from: offset, maxBytes: maxBytes, maxOffset: nil, minOneBatch: minOneBatch)
        } catch StorageError.offsetOutOfRange(let requested, let start, let end) {
            throw BrokerError.offsetOutOfRange(topicPartition, requested: requested, logStartOffset: start, logEndOffset: end)
        } catch let error as StorageError {
            throw BrokerError.storage(error.description)
        }
    }

    private func recordFollowerFetch(_ replicaId: Int32, offset: Int64) {
        guard var leader = leadership, offset <= logEndOffset else { return }
        var progress = leader.followers[replicaId] ?? FollowerProgress(lastCaughtUp: .now)
        let now = ContinuousClock.now
        progress.logEndOffset = offset
        if offset >= logEndOffset {
            progress.lastCaughtUp = now
        } else if offset >= progress.previousFetchLeaderLogEnd, let previous = progress.previousFetchTime {
            progress.lastCaughtUp = max(progress.lastCaughtUp, previous)
        }
        progress.previousFetchLeaderLogEnd = logEndOffset
        progress.previousFetchTime = now
        leader.followers[replicaId] = progress
        leadership = leader
        maybeAdvanceHighWatermark()
        if !leader.isr.contains(replicaId), offset >= highWatermark, offset >= leader.epochStartOffset {
            isrChangeListener?(topicPartition)
        }
    }

    /// High watermark = the smallest log end offset over the ISR; a member that has not
    /// fetched yet holds it where it is.
    func maybeAdvanceHighWatermark() {
        guard let leader = leadership else { return }
        var mark = logEndOffset
        for id in leader.isr where id != leader.localId {
            guard let progress = leader.followers[id], progress.logEndOffset >= 0 else { return }
            mark = min(mark, progress.logEndOffset)
        }
        advanceHighWatermark(to: mark)
    }

    /// The ISR the leader wants: without members that have not caught up for `lag`, with
    /// replicas that reached the high watermark and this epoch's start and have caught up
    /// within `lag`. Nil when unchanged.
    func proposedIsrChange(lag: Duration) -> IsrProposal? {
        guard let leader = leadership else { return nil }
        let now = ContinuousClock.now
        let removed = leader.isr.filter { id in
            id != leader.localId && (leader.followers[id].map { now - $0.lastCaughtUp > lag } ?? true)
        }
        let added = leader.replicas.filter { id in
            guard id != leader.localId, !leader.isr.contains(id), let progress = leader.followers[id] else { return false }
            // A replica that stopped fetching is not re-added on stale progress.
            return progress.logEndOffset >= highWatermark && progress.logEndOffset >= leader.epochStartOffset
                && now - progress.lastCaughtUp <= lag
        }
        guard !removed.isEmpty || !added.isEmpty else { return nil }
        let kept = Set(leader.isr).subtracting(removed).union(added)
        let ordered = leader.replicas.filter { kept.contains($0) } + kept.filter { !leader.replicas.contains($0) }.sorted()
        let state = PartitionState(leader: leader.localId, leaderEpoch: leader.epoch, isr: ordered,
                                   controllerEpoch: leader.controllerEpoch)
        return IsrProposal(state: state, expectedVersion: leader.stateVersion, removed: removed, added: added)
    }

    /// OffsetForLeaderEpoch on the leader: where `epoch` ended in this log. A single node
    /// answers as the one leader of epoch 0 it reports in Metadata: the whole log is epoch 0
    /// (so a client validating its position after a restart sees no truncation).
    func endOffset(forEpoch epoch: Int32, currentLeaderEpoch: Int32) throws(BrokerError) -> (epoch: Int32, endOffset: Int64) {
        guard clustered else {
            var single = LeaderEpochCache()
            single.assign(epoch: 0, startOffset: logStartOffset)
            return single.endOffset(for: epoch, logEndOffset: logEndOffset)
        }
        guard let leader = leadership else { throw .notLeaderOrFollower(topicPartition, leader: following?.leader) }
        try checkEpoch(currentLeaderEpoch, current: leader.epoch)
        return epochCache.endOffset(for: epoch, logEndOffset: logEndOffset)
    }
}
