// OffsetForLeaderEpoch (key 23), from Kafka 3.9's OffsetForLeaderEpochRequest/Response specs.

/// The OffsetForLeaderEpoch request: where each asked leader epoch ended in the leader's
/// log. Followers send it before fetching from a new leader, to truncate a divergent tail.
public struct OffsetForLeaderEpochRequest: KafkaRequest {
    public typealias Response = OffsetForLeaderEpochResponse
    public static let apiKey = ApiKey.offsetForLeaderEpoch
    public static let validVersions: Versions = "0-4"
    public static let flexibleVersions: Versions = "4+"

    /// The follower's broker id; -1 for a consumer; -2 (the default) for a debug client.
    public var replicaId: Int32 = -2
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ReplicaId", \.replicaId, .int32, versions: "3+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// One Topic entry of `OffsetForLeaderEpochRequest`.
    public struct Topic: KafkaStruct {
        public var topic = ""
        public var partitions: [Partition] = []

        public init() {}
        public init(topic: String, partitions: [Partition]) {
            self.topic = topic
            self.partitions = partitions
        }

        public static let fields: [Field<Self>] = [
            Field("Topic", \.topic, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One Partition entry of `OffsetForLeaderEpochRequest`.
    public struct Partition: KafkaStruct {
        public var partition: Int32 = 0
        /// The epoch the sender knows, for fencing; -1 when not given.
        public var currentLeaderEpoch: Int32 = -1
        /// The epoch to look up.
        public var leaderEpoch: Int32 = 0

        public init() {}
        public init(partition: Int32, currentLeaderEpoch: Int32, leaderEpoch: Int32) {
            self.partition = partition
            self.currentLeaderEpoch = currentLeaderEpoch
            self.leaderEpoch = leaderEpoch
        }

        public static let fields: [Field<Self>] = [
            Field("Partition", \.partition, .int32, versions: "0+"),
            Field("CurrentLeaderEpoch", \.currentLeaderEpoch, .int32, versions: "2+"),
            Field("LeaderEpoch", \.leaderEpoch, .int32, versions: "0+"),
        ]
    }
}

/// The OffsetForLeaderEpoch response; its fields, versions and defaults follow Kafka 3.9's
/// OffsetForLeaderEpochResponse spec.
public struct OffsetForLeaderEpochResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "2+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// One Topic entry of `OffsetForLeaderEpochResponse`.
    public struct Topic: KafkaStruct {
        public var topic = ""
        public var partitions: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Topic", \.topic, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One Partition entry of `OffsetForLeaderEpochResponse`.
    public struct Partition: KafkaStruct {
        public var errorCode: Int16 = 0
        public var partition: Int32 = 0
        /// The largest epoch at or below the asked one; -1 when undefined.
        public var leaderEpoch: Int32 = -1
        /// Where that epoch ended (the next epoch's start, or the log end); -1 when undefined.
        public var endOffset: Int64 = -1

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("Partition", \.partition, .int32, versions: "0+"),
            Field("LeaderEpoch", \.leaderEpoch, .int32, versions: "1+"),
            Field("EndOffset", \.endOffset, .int64, versions: "0+"),
        ]
    }
}
