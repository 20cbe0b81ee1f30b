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
    /// The partition exists but this broker is not its leader (or holds no replica of it).
    case notLeaderOrFollower(TopicPartition)

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
        case .notLeaderOrFollower(let tp): "this broker is not the leader of \(tp); refresh metadata to find it"
        }
    }
}
