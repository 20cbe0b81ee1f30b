import Foundation

// Fetch (key 1), from Kafka 3.9's FetchRequest/Response specs.

/// The Fetch request; its fields, versions and defaults follow Kafka 3.9's FetchRequest spec.
public struct FetchRequest: KafkaRequest {
    public typealias Response = FetchResponse
    public static let apiKey = ApiKey.fetch
    public static let validVersions: Versions = "0-17"
    public static let flexibleVersions: Versions = "12+"

    public var clusterId: String?
    /// -1 for consumers; a broker id for followers.
    public var replicaId: Int32 = -1
    public var replicaState = ReplicaState()
    /// The longest the broker may wait for `minBytes`, in milliseconds.
    public var maxWaitMs: Int32 = 0
    public var minBytes: Int32 = 0
    /// Bytes at most in the whole response (the first batch is sent even if larger).
    public var maxBytes: Int32 = 0x7fff_ffff
    /// 0: read uncommitted; 1: read committed.
    public var isolationLevel: Int8 = 0
    public var sessionId: Int32 = 0
    public var sessionEpoch: Int32 = -1
    public var topics: [Topic] = []
    public var forgottenTopicsData: [ForgottenTopic] = []
    public var rackId = ""

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ClusterId", \.clusterId, .nullableString, versions: "12+", nullable: "12+", tag: 0),
        Field("ReplicaId", \.replicaId, .int32, versions: "0-14"),
        Field("ReplicaState", \.replicaState, .struct(ReplicaState.self), versions: "15+", tag: 1),
        Field("MaxWaitMs", \.maxWaitMs, .int32, versions: "0+"),
        Field("MinBytes", \.minBytes, .int32, versions: "0+"),
        Field("MaxBytes", \.maxBytes, .int32, versions: "3+"),
        Field("IsolationLevel", \.isolationLevel, .int8, versions: "4+"),
        Field("SessionId", \.sessionId, .int32, versions: "7+"),
        Field("SessionEpoch", \.sessionEpoch, .int32, versions: "7+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
        Field("ForgottenTopicsData", \.forgottenTopicsData, .array(ForgottenTopic.self), versions: "7+"),
        Field("RackId", \.rackId, .string, versions: "11+"),
    ]

    /// One ReplicaState entry of `FetchRequest`.
    public struct ReplicaState: KafkaStruct {
        public var replicaId: Int32 = -1
        public var replicaEpoch: Int64 = -1

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ReplicaId", \.replicaId, .int32, versions: "15+"),
            Field("ReplicaEpoch", \.replicaEpoch, .int64, versions: "15+"),
        ]
    }

    /// One Topic entry of `FetchRequest`.
    public struct Topic: KafkaStruct {
        /// The topic's name (v0–12).
        public var topic = ""
        /// The topic's id (v13+).
        public var topicId = UUID.zero
        public var partitions: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Topic", \.topic, .string, versions: "0-12"),
            Field("TopicId", \.topicId, .uuid, versions: "13+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One Partition entry of `FetchRequest`.
    public struct Partition: KafkaStruct {
        public var partition: Int32 = 0
        public var currentLeaderEpoch: Int32 = -1
        public var fetchOffset: Int64 = 0
        public var lastFetchedEpoch: Int32 = -1
        public var logStartOffset: Int64 = -1
        /// Bytes at most for this partition.
        public var partitionMaxBytes: Int32 = 0
        public var replicaDirectoryId = UUID.zero

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Partition", \.partition, .int32, versions: "0+"),
            Field("CurrentLeaderEpoch", \.currentLeaderEpoch, .int32, versions: "9+"),
            Field("FetchOffset", \.fetchOffset, .int64, versions: "0+"),
            Field("LastFetchedEpoch", \.lastFetchedEpoch, .int32, versions: "12+"),
            Field("LogStartOffset", \.logStartOffset, .int64, versions: "5+"),
            Field("PartitionMaxBytes", \.partitionMaxBytes, .int32, versions: "0+"),
            Field("ReplicaDirectoryId", \.replicaDirectoryId, .uuid, versions: "17+", tag: 0),
        ]
    }

    /// One ForgottenTopic entry of `FetchRequest`.
    public struct ForgottenTopic: KafkaStruct {
        public var topic = ""
        public var topicId = UUID.zero
        public var partitions: [Int32] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Topic", \.topic, .string, versions: "7-12"),
            Field("TopicId", \.topicId, .uuid, versions: "13+"),
            Field("Partitions", \.partitions, .array(.int32), versions: "7+"),
        ]
    }
}

/// The Fetch response; its fields, versions and defaults follow Kafka 3.9's FetchResponse spec.
public struct FetchResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    /// The fetch session (KIP-227) the response belongs to; 0: none, so the client sends full requests.
    public var sessionId: Int32 = 0
    public var responses: [Topic] = []
    public var nodeEndpoints: [NodeEndpoint] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "1+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "7+"),
        Field("SessionId", \.sessionId, .int32, versions: "7+"),
        Field("Responses", \.responses, .array(Topic.self), versions: "0+"),
        Field("NodeEndpoints", \.nodeEndpoints, .array(NodeEndpoint.self), versions: "16+", tag: 0),
    ]

    /// One Topic entry of `FetchResponse`.
    public struct Topic: KafkaStruct {
        public var topic = ""
        public var topicId = UUID.zero
        public var partitions: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Topic", \.topic, .string, versions: "0-12"),
            Field("TopicId", \.topicId, .uuid, versions: "13+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One Partition entry of `FetchResponse`.
    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var errorCode: Int16 = 0
        public var highWatermark: Int64 = 0
        public var lastStableOffset: Int64 = -1
        public var logStartOffset: Int64 = -1
        public var divergingEpoch = EpochEndOffset()
        public var currentLeader = LeaderIdAndEpoch()
        public var snapshotId = SnapshotId()
        public var abortedTransactions: [AbortedTransaction]? = nil
        public var preferredReadReplica: Int32 = -1
        public var records: RecordsData?

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("HighWatermark", \.highWatermark, .int64, versions: "0+"),
            Field("LastStableOffset", \.lastStableOffset, .int64, versions: "4+"),
            Field("LogStartOffset", \.logStartOffset, .int64, versions: "5+"),
            Field("DivergingEpoch", \.divergingEpoch, .struct(EpochEndOffset.self), versions: "12+", tag: 0),
            Field("CurrentLeader", \.currentLeader, .struct(LeaderIdAndEpoch.self), versions: "12+", tag: 1),
            Field("SnapshotId", \.snapshotId, .struct(SnapshotId.self), versions: "12+", tag: 2),
            Field("AbortedTransactions", \.abortedTransactions, .nullableArray(AbortedTransaction.self),
                  versions: "4+", nullable: "4+"),
            Field("PreferredReadReplica", \.preferredReadReplica, .int32, versions: "11+"),
            Field("Records", \.records, .records, versions: "0+", nullable: "0+"),
        ]
    }

    /// One EpochEndOffset entry of `FetchResponse`.
    public struct EpochEndOffset: KafkaStruct {
        public var epoch: Int32 = -1
        public var endOffset: Int64 = -1

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Epoch", \.epoch, .int32, versions: "0+"),
            Field("EndOffset", \.endOffset, .int64, versions: "0+"),
        ]
    }

    /// One SnapshotId entry of `FetchResponse`.
    public struct SnapshotId: KafkaStruct {
        public var endOffset: Int64 = -1
        public var epoch: Int32 = -1

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("EndOffset", \.endOffset, .int64, versions: "0+"),
            Field("Epoch", \.epoch, .int32, versions: "0+"),
        ]
    }

    /// One AbortedTransaction entry of `FetchResponse`.
    public struct AbortedTransaction: KafkaStruct {
        public var producerId: Int64 = 0
        public var firstOffset: Int64 = 0

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ProducerId", \.producerId, .int64, versions: "4+"),
            Field("FirstOffset", \.firstOffset, .int64, versions: "4+"),
        ]
    }
}
