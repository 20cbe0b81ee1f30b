import NIOCore

/// What the replication data path needs from the broker: cluster mode, acks=all waits,
/// leader-epoch lookups, and each partition's role for Metadata answers.
extension Broker {
    /// Enters cluster mode: every partition, open now or later, waits for a role from the
    /// `ReplicaManager` (called by its `start`), its high watermark restarting at
    /// `highWatermarks` (the checkpoint) or its log start.
    func enableReplication(_ config: ReplicationConfig, highWatermarks: [TopicPartition: Int64] = [:]) async throws {
        checkpointedHighWatermarks = highWatermarks
        replication = config
        for record in topics() {
            for index in 0..<record.partitionCount {
                let tp = TopicPartition(record.name, index)
                try await partition(tp)?.enterClusterMode(checkpointed: highWatermarks[tp])
            }
        }
    }

    /// The high watermark of every replicated partition held here, for the checkpoint.
    func replicatedHighWatermarks() async -> [TopicPartition: Int64] {
        var marks: [TopicPartition: Int64] = [:]
        for (_, partition) in localPartitions() {
            if let mark = await partition.clusteredHighWatermark() { marks[partition.topicPartition] = mark }
        }
        return marks
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
