/// Why the broker refused a request. Protocol plugins map these to their wire errors
/// (e.g. Kafka error codes); the messages are for logs and humans.
public enum BrokerError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownTopicOrPartition(String, Int32?)
    case topicAlreadyExists(String)
    case invalidTopic(String, reason: String)
    case invalidPartitions(String)
    case invalidReplicationFactor(String)
    case invalidReplicaAssignment(String)
    case invalidConfig(String)
    case invalidRecord(RecordBatchError)
    /// Records the topic's settings forbid (a record without a key in a compacted topic);
    /// nothing of the batch was appended. Kafka's INVALID_RECORD with record errors.
    case recordsRejected(TopicPartition, [RecordRejection])
    case messageTooLarge(size: Int, limit: Int)
    case unsupportedMessageFormat(String)
    case offsetOutOfRange(TopicPartition, requested: Int64, logStartOffset: Int64, logEndOffset: Int64)
    /// A sequence number that is neither the next one nor a retry of a recent batch.
    case outOfOrderSequence(TopicPartition, producerId: Int64, expected: Int32, received: Int32)
    /// A producer epoch older than the one the partition has seen.
    case invalidProducerEpoch(producerId: Int64, current: Int16, received: Int16)
    case unknownProducerId(Int64)
    /// Storage failed (disk full, I/O error); nothing was appended.
    case storage(String)
    case notReady(String)
    /// This broker neither leads the partition nor (for replica reads) may serve it;
    /// `leader` is the leader it knows of, if any. Clients refresh metadata and retry.
    case notLeaderOrFollower(TopicPartition, leader: Int32?)
    /// acks=all refused before appending: the ISR is smaller than `min.insync.replicas`.
    case notEnoughReplicas(TopicPartition, isr: Int, required: Int)
    /// acks=all: appended, but the ISR fell below `min.insync.replicas` before the
    /// records were replicated; the producer retries (it may write a duplicate).
    case notEnoughReplicasAfterAppend(TopicPartition, isr: Int, required: Int)
    /// acks=all: the followers did not replicate the records within the request timeout.
    case requestTimedOut(TopicPartition, timeoutMs: Int64)
    /// The request's leader epoch is older than this broker's: the sender's metadata is stale.
    case fencedLeaderEpoch(TopicPartition, requested: Int32, current: Int32)
    /// The request's leader epoch is newer than this broker's: this broker has not yet seen the change.
    case unknownLeaderEpoch(TopicPartition, requested: Int32, current: Int32)
    /// A transactional write that does not fit the producer's transaction (Kafka's
    /// INVALID_TXN_STATE): a produce to a partition its ongoing transaction does not include
    /// (KIP-890), a plain write while its transaction is open, or no coordinator to ask.
    case invalidTxnState(TopicPartition, String)
    /// A marker from an older transaction coordinator epoch than one this partition has
    /// seen for the producer: a stale coordinator (TRANSACTION_COORDINATOR_FENCED).
    case transactionCoordinatorFenced(TopicPartition, producerId: Int64, current: Int32, received: Int32)
    /// The transaction coordinator could not confirm a transactional produce now (it is
    /// completing the previous transaction, or is unavailable); nothing was appended and the
    /// producer retries. Kafka answers NOT_ENOUGH_REPLICAS here, which every producer retries.
    case transactionNotVerified(TopicPartition, String)

    public var description: String {
        switch self {
        case .unknownTopicOrPartition(let topic, let partition):
            partition.map { "unknown partition \(topic)-\($0)" } ?? "unknown topic '\(topic)'"
        case .topicAlreadyExists(let topic): "topic '\(topic)' already exists"
        case .invalidTopic(let topic, let reason): "invalid topic name '\(topic)': \(reason)"
        case .invalidPartitions(let why): why
        case .invalidReplicationFactor(let why): why
        case .invalidReplicaAssignment(let why): why
        case .invalidConfig(let why): why
        case .invalidRecord(let error): error.description
        case .recordsRejected(_, let rejections):
            // Kafka's wording (LogValidator), which clients show to users as is.
            "One or more records have been rejected due to \(rejections.count) record errors in total, and only showing the first three errors at most: ["
                + rejections.prefix(3).map { "RecordError(batchIndex=\($0.batchIndex), message='\($0.message)')" }.joined(separator: ", ") + "]"
        case .messageTooLarge(let size, let limit): "record batch of \(size) bytes exceeds max.message.bytes \(limit)"
        case .unsupportedMessageFormat(let why): why
        case .offsetOutOfRange(let tp, let requested, let start, let end):
            "offset \(requested) is out of range for \(tp): the log holds [\(start), \(end))"
        case .outOfOrderSequence(let tp, let pid, let expected, let received):
            "out-of-order sequence for producer \(pid) on \(tp): expected \(expected), got \(received)"
        case .invalidProducerEpoch(let pid, let current, let received):
            "producer \(pid) epoch \(received) is older than the current epoch \(current)"
        case .unknownProducerId(let pid): "unknown producer id \(pid)"
        case .storage(let why): "storage error: \(why)"
        case .notReady(let why): why
        case .notLeaderOrFollower(let tp, let leader):
            "this broker does not lead \(tp)" + (leader.map { $0 >= 0 ? "; broker \($0) does" : "; it has no leader now" } ?? "")
                + "; refresh metadata and retry there"
        case .notEnoughReplicas(let tp, let isr, let required):
            "\(tp) has \(isr) in-sync replicas, fewer than min.insync.replicas \(required); nothing was appended. Bring replicas back or lower min.insync.replicas"
        case .notEnoughReplicasAfterAppend(let tp, let isr, let required):
            "\(tp) was appended but its in-sync replicas fell to \(isr), below min.insync.replicas \(required), before the records were replicated"
        case .requestTimedOut(let tp, let timeoutMs):
            "\(tp): the in-sync replicas did not replicate the records within \(timeoutMs) ms"
        case .fencedLeaderEpoch(let tp, let requested, let current):
            "leader epoch \(requested) for \(tp) is older than the current epoch \(current); refresh metadata"
        case .unknownLeaderEpoch(let tp, let requested, let current):
            "leader epoch \(requested) for \(tp) is newer than this broker's epoch \(current); retry shortly"
        case .invalidTxnState(_, let why): why
        case .transactionCoordinatorFenced(let tp, let pid, let current, let received):
            "a transaction marker for producer \(pid) on \(tp) comes from coordinator epoch \(received), older than \(current) already seen"
        case .transactionNotVerified(let tp, let why):
            "the transaction coordinator could not confirm producer's transaction on \(tp) yet (\(why)); retry"
        }
    }
}

/// One record refused inside a batch: its index in the batch (0-based) and why.
public struct RecordRejection: Sendable, Equatable {
    public var batchIndex: Int32
    public var message: String
    public init(batchIndex: Int32, message: String) {
        self.batchIndex = batchIndex
        self.message = message
    }
}
