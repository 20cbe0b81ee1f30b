import Foundation
import NIOCore

/// The produce path. None of it runs on the broker actor: the topic, its settings and
/// the partition come from the published `TopicRoutes`, and the batches are validated
/// (header, size, CRC-32C) on the caller's task, so produces to different partitions
/// meet only at their own `Partition` actors and their CRCs run in parallel.
///
/// Actor hops per partition of a Produce request (an await that enters another actor):
///
/// | path | before | now |
/// |---|---|---|
/// | acks=0/1 | Broker (lookup, parse, CRC) → Partition (sequences) → storage log: 3 | Partition → storage log: 2 |
/// | acks=all, one node | + Broker (`awaitReplication`): 4 | 2 |
/// | acks=all, cluster | + Broker → Partition (high watermark wait): 5 | + Partition: 3 |
///
/// Per record nothing is done beyond the batch header and its CRC (the records of a
/// compacted topic's batches are read for their keys, which that policy requires).
extension Broker {
    /// Validates and appends the record batches in `bytes` to a partition.
    /// - Parameter acks: the producer's required acks; with -1 (all) in cluster mode the
    ///   append is refused while the ISR is below `min.insync.replicas`. Waiting for the
    ///   followers is `awaitReplication`. Default 1.
    /// - Returns: the offsets assigned (the first and last record).
    public nonisolated func produce(to tp: TopicPartition, bytes: ByteBuffer, acks: Int16 = 1) async throws(BrokerError) -> LogAppendInfo {
        try await produce(to: tp, bytes: bytes, acks: acks, transactionalId: nil)
    }

    /// `produce(to:bytes:acks:)` with the producer's transactional id (Produce v3+), which
    /// a partition leader in a cluster needs to ask the id's coordinator before the first
    /// transactional append (KIP-890 part 1).
    public nonisolated func produce(to tp: TopicPartition, bytes: ByteBuffer, acks: Int16,
                                    transactionalId: String?) async throws(BrokerError) -> LogAppendInfo {
        if OffsetsTopic.isInternal(tp.topic) { throw .invalidTopic(tp.topic, reason: "Cannot append to internal topic \(tp.topic)") }
        let routes = routes.current
        guard let state = routes.topics[tp.topic] else { throw .unknownTopicOrPartition(tp.topic, tp.partition) }
        guard tp.partition >= 0, tp.partition < state.record.partitionCount else {
            throw .unknownTopicOrPartition(tp.topic, tp.partition)
        }
        let batches = try Self.validatedBatches(bytes, maxBatchBytes: state.settings.maxMessageBytes ?? config.messageMaxBytes)
        guard let partition = state.partitions[tp.partition] else { throw routes.missingPartitionError(tp) }
        if batches.contains(where: \.isControl) {
            throw .invalidRecord(.malformedRecord("control batches are written by the transaction coordinator, not by producers"))
        }
        let minInsync = acks == -1 ? routes.minInsyncReplicas(state.settings) : nil
        if batches.contains(where: \.isTransactional), transactionVerifier.current != nil {
            // Most transactional produces continue a transaction already open in the
            // partition: appended in one step, without asking the coordinator (KIP-890
            // verifies only the batch that opens the transaction here).
            if let info = try await append(batches, to: partition, settings: state.settings, minInsync: minInsync,
                                           verification: nil, stopIfUnverified: true) {
                return info
            }
        }
        let verification = try await verifyTransactionalProduce(batches, to: partition, transactionalId: transactionalId)
        return try await append(batches, to: partition, settings: state.settings, minInsync: minInsync, verification: verification)
    }

    /// Splits a producer's bytes into batches, checking each one's header, size and
    /// CRC-32C, with the errors a Kafka producer expects.
    static func validatedBatches(_ bytes: ByteBuffer, maxBatchBytes: Int) throws(BrokerError) -> [RecordBatch] {
        let batches: [RecordBatch]
        do {
            batches = try RecordBatch.parse(bytes, maxBatchBytes: maxBatchBytes)
        } catch .tooLarge(let size, let limit) {
            throw .messageTooLarge(size: size, limit: limit)
        } catch .unsupportedMagic(let magic) {
            throw .unsupportedMessageFormat("message format v\(magic) is not supported; use a client that writes record batches (magic 2, Kafka 0.11+)")
        } catch {
            throw .invalidRecord(error)
        }
        guard !batches.isEmpty else { throw .invalidRecord(.truncated(needed: RecordBatch.headerSize, available: 0)) }
        return batches
    }

    /// Appends batches built by a connector (through `RecordBatchBuilder`); creates the
    /// topic first when it is missing and `createTopic` is set.
    public nonisolated func append(_ batches: [RecordBatch], to tp: TopicPartition, createTopic: Bool = false) async throws(BrokerError) -> LogAppendInfo {
        if OffsetsTopic.isInternal(tp.topic) { throw .invalidTopic(tp.topic, reason: "Cannot append to internal topic \(tp.topic)") }
        var routes = routes.current
        if routes.topics[tp.topic] == nil && createTopic {
            do { try await self.createTopic(tp.topic) } catch .topicAlreadyExists {}
            routes = self.routes.current
        }
        guard let state = routes.topics[tp.topic], let partition = state.partitions[tp.partition] else {
            throw .unknownTopicOrPartition(tp.topic, tp.partition)
        }
        return try await append(batches, to: partition, settings: state.settings)
    }

    nonisolated func append(_ batches: [RecordBatch], to partition: Partition, settings: TopicSettings,
                            minInsync: Int? = nil, verification: UInt64? = nil) async throws(BrokerError) -> LogAppendInfo {
        guard let info = try await append(batches, to: partition, settings: settings, minInsync: minInsync, verification: verification,
                                          stopIfUnverified: false) else {
            throw .invalidTxnState(partition.topicPartition, "a transactional batch was not verified")
        }
        return info
    }

    /// With `stopIfUnverified`: nil, nothing appended, when a batch would open a
    /// transaction in the partition (see `Partition.append(_:…:stopIfUnverified:)`).
    nonisolated func append(_ batches: [RecordBatch], to partition: Partition, settings: TopicSettings,
                            minInsync: Int?, verification: UInt64?, stopIfUnverified: Bool) async throws(BrokerError) -> LogAppendInfo? {
        if settings.cleanupPolicy.contains(.compact) {
            try refuseRecordsWithoutKey(batches, to: partition.topicPartition)
        }
        let appendTime = settings.timestampType == .logAppendTime ? Int64(clock().timeIntervalSince1970 * 1000) : nil
        do {
            return try await partition.append(batches, logAppendTime: appendTime, minInsync: minInsync, verification: verification,
                                              stopIfUnverified: stopIfUnverified)
        } catch let error as BrokerError {
            throw error
        } catch {
            throw .storage("\(error)")
        }
    }

    /// A compacted topic keeps the latest record per key, so a record without a key has no
    /// place in it: Kafka refuses the whole batch with INVALID_RECORD, naming each record.
    private nonisolated func refuseRecordsWithoutKey(_ batches: [RecordBatch], to tp: TopicPartition) throws(BrokerError) {
        var rejections: [RecordRejection] = []
        for batch in batches where !batch.isControl {
            do {
                for index in try batch.recordIndexesWithoutKey(decompressing: codec) {
                    rejections.append(RecordRejection(batchIndex: index,
                        message: "Compacted topic cannot accept message without key in topic partition \(tp)."))
                }
            } catch let error as RecordBatchError {
                throw .invalidRecord(error)
            } catch {
                throw .invalidRecord(.malformedRecord("the batch could not be decompressed to check its keys: \(error)"))
            }
        }
        if !rejections.isEmpty { throw .recordsRejected(tp, rejections) }
    }

    /// For acks=all: returns once the high watermark has passed `info.lastOffset`; throws
    /// REQUEST_TIMED_OUT at `deadline`, NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR falls
    /// below `min.insync.replicas`. Returns at once on a single node.
    public nonisolated func awaitReplication(of info: LogAppendInfo, in tp: TopicPartition, deadline: ContinuousClock.Instant,
                                             timeoutMs: Int64) async throws(BrokerError) {
        let routes = routes.current
        guard routes.clustered, let state = routes.topics[tp.topic], let partition = state.partitions[tp.partition] else { return }
        try await partition.awaitReplication(through: info.lastOffset + 1, minInsync: routes.minInsyncReplicas(state.settings),
                                             deadline: deadline, timeoutMs: timeoutMs)
    }

    /// Appends and, for acks=-1, waits for the in-sync replicas up to `timeout`.
    public nonisolated func produce(to tp: TopicPartition, bytes: ByteBuffer, acks: Int16, timeout: Duration) async throws(BrokerError) -> LogAppendInfo {
        let deadline = ContinuousClock.now + timeout
        let info = try await produce(to: tp, bytes: bytes, acks: acks)
        if acks == -1 {
            try await awaitReplication(of: info, in: tp, deadline: deadline, timeoutMs: timeout.milliseconds)
        }
        return info
    }

    /// Publishes `topicStates` and the replication default for the produce and fetch
    /// paths; called after every change to either.
    func publishRoutes() {
        routes.publish(TopicRoutes(topics: topicStates, replicationMinInsync: replication?.minInsyncReplicas,
                                   clustered: replication != nil))
    }
}
