import NIOCore

/// What the replication data path needs from the broker: cluster mode, acks=all waits,
/// leader-epoch lookups, and each partition's role for Metadata answers.
extension Broker {
    /// Enters cluster mode: every partition, open now or later, waits for a role from the
    /// `ReplicaManager` (called by its `start`).
    func enableReplication(_ config: ReplicationConfig) async throws {
        replication = config
        for record in topics() {
            for index in 0..<record.partitionCount {
                try await partition(TopicPartition(record.name, index))?.enterClusterMode()
            }
        }
    }

    /// The `min.insync.replicas` of a topic: its setting, else the broker default (1).
    func minInsyncReplicas(_ settings: TopicSettings) -> Int {
        settings.minInsyncReplicas ?? replication?.minInsyncReplicas ?? 1
    }

    /// For acks=all: returns once the high watermark has passed `info.lastOffset`; throws
    /// REQUEST_TIMED_OUT at `deadline`, NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR falls
    /// below `min.insync.replicas`. Returns at once on a single node.
    public func awaitReplication(of info: LogAppendInfo, in tp: TopicPartition, deadline: ContinuousClock.Instant,
                                 timeoutMs: Int64) async throws(BrokerError) {
        guard replication != nil, let state = topicStates[tp.topic], let partition = partition(tp) else { return }
        try await partition.awaitReplication(through: info.lastOffset + 1, minInsync: minInsyncReplicas(state.settings),
                                             deadline: deadline, timeoutMs: timeoutMs)
    }

    /// Appends and, for acks=-1, waits for the in-sync replicas up to `timeout`.
    public func produce(to tp: TopicPartition, bytes: ByteBuffer, acks: Int16, timeout: Duration) async throws(BrokerError) -> LogAppendInfo {
        let deadline = ContinuousClock.now + timeout
        let info = try await produce(to: tp, bytes: bytes, acks: acks)
        if acks == -1 {
            try await awaitReplication(of: info, in: tp, deadline: deadline, timeoutMs: timeout.milliseconds)
        }
        return info
    }

    /// OffsetForLeaderEpoch: the largest epoch at or below `leaderEpoch` in the leader's log
    /// and the offset where it ended.
    public func offsetForLeaderEpoch(_ tp: TopicPartition, currentLeaderEpoch: Int32,
                                     leaderEpoch: Int32) async throws(BrokerError) -> (leaderEpoch: Int32, endOffset: Int64) {
        guard let partition = partition(tp) else { throw .unknownTopicOrPartition(tp.topic, tp.partition) }
        let answer = try await partition.endOffset(forEpoch: leaderEpoch, currentLeaderEpoch: currentLeaderEpoch)
        return (answer.epoch, answer.endOffset)
    }

    /// For consumer requests other than Fetch (ListOffsets): throws unless this broker
    /// leads `tp` in `currentLeaderEpoch` (-1: any); returns the leader epoch (-1 on a single node).
    public func checkLeader(_ tp: TopicPartition, currentLeaderEpoch: Int32) async throws(BrokerError) -> Int32 {
        guard let partition = partition(tp) else { throw .unknownTopicOrPartition(tp.topic, tp.partition) }
        return try await partition.leaderEpochForConsumer(currentLeaderEpoch: currentLeaderEpoch)
    }

    /// The replication role, leader, epoch and ISR of a partition (nil when unknown).
    public func replicaInfo(_ tp: TopicPartition) async -> PartitionReplicaInfo? {
        await partition(tp)?.replicaInfo()
    }
}
