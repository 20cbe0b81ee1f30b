import NIOCore

/// How brokers reach each other: the wire for replica fetches and leader-epoch lookups,
/// and a stopping broker's controlled-shutdown request to the controller.
/// The Kafka plugin provides `KafkaReplicaTransport`; the kernel never sees wire types.
public protocol ReplicaTransport: Sendable {
    /// One fetch for every partition a follower follows from the leader at `source`.
    /// Throws when the broker cannot be reached; partition errors come back per partition.
    func fetch(from source: BrokerEndpoint, replicaId: Int32, partitions: [ReplicaFetchPartition],
               maxWait: Duration, maxBytes: Int) async throws -> [TopicPartition: ReplicaFetchResult]

    /// Where each asked epoch ended in the leader's log (Kafka's OffsetForLeaderEpoch).
    func offsetForLeaderEpoch(from source: BrokerEndpoint, replicaId: Int32,
                              partitions: [LeaderEpochQuery]) async throws -> [TopicPartition: LeaderEpochAnswer]

    /// Asks the controller at `controller` to move this broker's leaderships away and drop
    /// it from ISRs (Kafka's ControlledShutdown); returns the partitions it still leads.
    /// Throws when the controller cannot be reached or refuses (not the controller).
    func controlledShutdown(controller: BrokerEndpoint, brokerId: Int32) async throws -> [TopicPartition]

    /// Closes every connection (the ReplicaManager is shutting down).
    func close() async
}

/// One partition of a replica fetch.
public struct ReplicaFetchPartition: Sendable, Equatable {
    public var topicPartition: TopicPartition
    /// The follower's log end offset.
    public var fetchOffset: Int64
    /// The leader epoch the follower follows; the leader fences a different one.
    public var currentLeaderEpoch: Int32
    /// Bytes at most for this partition.
    public var maxBytes: Int

    public init(_ tp: TopicPartition, fetchOffset: Int64, currentLeaderEpoch: Int32, maxBytes: Int) {
        self.topicPartition = tp
        self.fetchOffset = fetchOffset
        self.currentLeaderEpoch = currentLeaderEpoch
        self.maxBytes = maxBytes
    }
}

/// The leader's answer for one partition of a replica fetch.
public struct ReplicaFetchResult: Sendable {
    /// Whole record batches as stored by the leader (possibly none).
    public var records: ByteBuffer
    public var highWatermark: Int64
    public var logStartOffset: Int64
    public var error: ReplicaPartitionError?

    public init(records: ByteBuffer, highWatermark: Int64, logStartOffset: Int64, error: ReplicaPartitionError?) {
        self.records = records
        self.highWatermark = highWatermark
        self.logStartOffset = logStartOffset
        self.error = error
    }
}

/// One partition of a leader-epoch lookup.
public struct LeaderEpochQuery: Sendable, Equatable {
    public var topicPartition: TopicPartition
    /// The epoch the follower follows (fencing).
    public var currentLeaderEpoch: Int32
    /// The epoch whose end offset is asked (the follower's latest).
    public var leaderEpoch: Int32

    public init(_ tp: TopicPartition, currentLeaderEpoch: Int32, leaderEpoch: Int32) {
        self.topicPartition = tp
        self.currentLeaderEpoch = currentLeaderEpoch
        self.leaderEpoch = leaderEpoch
    }
}

/// The leader's answer: the largest epoch at or below the asked one and its end offset
/// (-1, -1 when undefined).
public struct LeaderEpochAnswer: Sendable, Equatable {
    public var leaderEpoch: Int32
    public var endOffset: Int64
    public var error: ReplicaPartitionError?

    public init(leaderEpoch: Int32, endOffset: Int64, error: ReplicaPartitionError? = nil) {
        self.leaderEpoch = leaderEpoch
        self.endOffset = endOffset
        self.error = error
    }
}

/// A partition-level refusal from the leader, as the follower acts on it.
public enum ReplicaPartitionError: Error, Sendable, Equatable, CustomStringConvertible {
    case notLeaderOrFollower
    case fencedLeaderEpoch
    case unknownLeaderEpoch
    case offsetOutOfRange
    case unknownTopicOrPartition
    /// Any other wire error, by code and name.
    case other(code: Int16, name: String)

    public var description: String {
        switch self {
        case .notLeaderOrFollower: "NOT_LEADER_OR_FOLLOWER"
        case .fencedLeaderEpoch: "FENCED_LEADER_EPOCH"
        case .unknownLeaderEpoch: "UNKNOWN_LEADER_EPOCH"
        case .offsetOutOfRange: "OFFSET_OUT_OF_RANGE"
        case .unknownTopicOrPartition: "UNKNOWN_TOPIC_OR_PARTITION"
        case .other(let code, let name): "\(name) (\(code))"
        }
    }
}

/// Why replication of a partition stopped for a moment (logged; the fetcher retries).
public enum ReplicationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The leader sent batches that do not start at this follower's log end.
    case nonContiguousFetch(TopicPartition, expected: Int64, got: Int64)
    /// The leader's broker is not registered as alive.
    case leaderUnreachable(TopicPartition, leader: Int32)

    public var description: String {
        switch self {
        case .nonContiguousFetch(let tp, let expected, let got):
            "the leader of \(tp) sent a batch at offset \(got), expected \(expected); the follower truncates and fetches again"
        case .leaderUnreachable(let tp, let leader):
            "the leader of \(tp), broker \(leader), is not registered as alive; waiting for it or a new leader"
        }
    }
}
