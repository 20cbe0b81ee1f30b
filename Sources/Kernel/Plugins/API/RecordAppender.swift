import NIOCore

/// Writes records into topics: the Kafka plugin's Produce and InitProducerId, and source
/// connectors' appends. The one way a plugin adds records; the kernel validates batches,
/// assigns offsets and wakes waiting fetches.
///
/// `Broker` implements it directly (actor methods, so a call is one hop onto the broker,
/// as before the protocol existed); tests of a plugin may pass a fake.
public protocol RecordAppender: Sendable {
    /// Validates and appends the record batches in `bytes` (as a producer sent them) to a
    /// partition. With `acks` -1 in cluster mode the append is refused while the ISR is
    /// below `min.insync.replicas`; waiting for followers is `awaitReplication`.
    /// - Returns: the offsets assigned (first and last record).
    func produce(to tp: TopicPartition, bytes: ByteBuffer, acks: Int16) async throws(BrokerError) -> LogAppendInfo

    /// `produce(to:bytes:acks:)` with the producer's transactional id (Produce v3+; nil
    /// for none), which cluster mode needs to verify a transactional produce with the
    /// id's coordinator. By default the id is not used.
    func produce(to tp: TopicPartition, bytes: ByteBuffer, acks: Int16, transactionalId: String?) async throws(BrokerError) -> LogAppendInfo

    /// For acks=all: returns once the high watermark has passed `info.lastOffset`; throws
    /// REQUEST_TIMED_OUT at `deadline` (`timeoutMs` is the producer's timeout, in
    /// milliseconds, for the message). Returns at once on a single node.
    func awaitReplication(of info: LogAppendInfo, in tp: TopicPartition, deadline: ContinuousClock.Instant,
                          timeoutMs: Int64) async throws(BrokerError)

    /// Appends batches a connector built with `RecordBatchBuilder`; creates the topic
    /// first when it is missing and `createTopic` is set.
    func append(_ batches: [RecordBatch], to tp: TopicPartition, createTopic: Bool) async throws(BrokerError) -> LogAppendInfo

    /// A producer id for InitProducerId, unique across restarts of this broker.
    func allocateProducerId() async -> Int64

    /// WriteTxnMarkers: writes a transaction's commit or abort marker into each partition
    /// this broker leads (see `TransactionMarkerWriter`); returns the partitions that
    /// failed with their error (not the leader, unknown, older epochs, storage).
    func writeMarkers(_ marker: TransactionMarker, partitions: [TopicPartition]) async -> [TopicPartition: BrokerError]
}

extension RecordAppender {
    public func produce(to tp: TopicPartition, bytes: ByteBuffer, acks: Int16,
                        transactionalId: String?) async throws(BrokerError) -> LogAppendInfo {
        try await produce(to: tp, bytes: bytes, acks: acks)
    }
}
