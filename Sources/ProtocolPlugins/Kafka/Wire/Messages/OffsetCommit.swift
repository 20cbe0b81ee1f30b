// OffsetCommit (key 8), from Kafka 3.9's OffsetCommitRequest/Response specs.

/// Commits a group's consumed positions. v0 stored offsets in ZooKeeper and v1 carried a
/// per-partition timestamp; both are declared so that old clients can be decoded.
public struct OffsetCommitRequest: KafkaRequest {
    public typealias Response = OffsetCommitResponse
    public static let apiKey = ApiKey.offsetCommit
    public static let validVersions: Versions = "0-9"
    public static let flexibleVersions: Versions = "8+"

    public var groupId = ""
    /// The member's generation (v1+); -1 for a commit from outside the group.
    public var generationIdOrMemberEpoch: Int32 = -1
    /// The committing member (v1+); empty for a commit from outside the group.
    public var memberId = ""
    /// `group.instance.id` of a static member (v7+).
    public var groupInstanceId: String?
    /// How long to keep the offsets, in milliseconds (v2–4); -1 for the broker's setting.
    public var retentionTimeMs: Int64 = -1
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("GroupId", \.groupId, .string, versions: "0+"),
        Field("GenerationIdOrMemberEpoch", \.generationIdOrMemberEpoch, .int32, versions: "1+"),
        Field("MemberId", \.memberId, .string, versions: "1+"),
        Field("GroupInstanceId", \.groupInstanceId, .nullableString, versions: "7+", nullable: "7+"),
        Field("RetentionTimeMs", \.retentionTimeMs, .int64, versions: "2-4"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitions: [Partition] = []

        public init() {}
        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        /// The next offset the group will consume.
        public var committedOffset: Int64 = 0
        /// The leader epoch of the last consumed record (v6+); -1 when unknown.
        public var committedLeaderEpoch: Int32 = -1
        /// Commit time in milliseconds since the epoch (v1 only); -1 for "now".
        public var commitTimestamp: Int64 = -1
        /// Free text the client stores with the offset.
        public var committedMetadata: String?

        public init() {}
        public init(partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1, committedMetadata: String? = nil) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.committedMetadata = committedMetadata
        }

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("CommittedOffset", \.committedOffset, .int64, versions: "0+"),
            Field("CommittedLeaderEpoch", \.committedLeaderEpoch, .int32, versions: "6+"),
            Field("CommitTimestamp", \.commitTimestamp, .int64, versions: "1"),
            Field("CommittedMetadata", \.committedMetadata, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}

/// The outcome per partition; there is no group-level error code in any version.
public struct OffsetCommitResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "3+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitions: [Partition] = []

        public init() {}
        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var errorCode: Int16 = 0

        public init() {}
        public init(partitionIndex: Int32, errorCode: Int16) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
        }

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        ]
    }
}
