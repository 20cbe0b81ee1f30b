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
