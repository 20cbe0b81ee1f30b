// ListOffsets (key 2), from Kafka 3.9's ListOffsetsRequest/Response specs.

/// The ListOffsets request; its fields, versions and defaults follow Kafka 3.9's ListOffsetsRequest spec.
public struct ListOffsetsRequest: KafkaRequest {
    public typealias Response = ListOffsetsResponse
    public static let apiKey = ApiKey.listOffsets
    public static let validVersions: Versions = "0-9"
    public static let flexibleVersions: Versions = "6+"

    /// Special timestamps a partition query may carry instead of a time in milliseconds.
    public enum SpecialTimestamp {
        public static let latest: Int64 = -1
        public static let earliest: Int64 = -2
        public static let maxTimestamp: Int64 = -3
        public static let earliestLocal: Int64 = -4
        public static let latestTiered: Int64 = -5
    }

    public var replicaId: Int32 = -1
    public var isolationLevel: Int8 = 0
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ReplicaId", \.replicaId, .int32, versions: "0+"),
        Field("IsolationLevel", \.isolationLevel, .int8, versions: "2+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// One Topic entry of `ListOffsetsRequest`.
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitions: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One Partition entry of `ListOffsetsRequest`.
    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var currentLeaderEpoch: Int32 = -1
        /// A time in milliseconds, or one of `SpecialTimestamp`.
        public var timestamp: Int64 = 0
        public var maxNumOffsets: Int32 = 1

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("CurrentLeaderEpoch", \.currentLeaderEpoch, .int32, versions: "4+"),
            Field("Timestamp", \.timestamp, .int64, versions: "0+"),
            Field("MaxNumOffsets", \.maxNumOffsets, .int32, versions: "0"),
        ]
    }
}

/// The ListOffsets response; its fields, versions and defaults follow Kafka 3.9's ListOffsetsResponse spec.
public struct ListOffsetsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "2+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// One Topic entry of `ListOffsetsResponse`.
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitions: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One Partition entry of `ListOffsetsResponse`.
    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var errorCode: Int16 = 0
        public var oldStyleOffsets: [Int64] = []
        public var timestamp: Int64 = -1
        public var offset: Int64 = -1
        public var leaderEpoch: Int32 = -1

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("OldStyleOffsets", \.oldStyleOffsets, .array(.int64), versions: "0"),
            Field("Timestamp", \.timestamp, .int64, versions: "1+"),
            Field("Offset", \.offset, .int64, versions: "1+"),
            Field("LeaderEpoch", \.leaderEpoch, .int32, versions: "4+"),
        ]
    }
}
