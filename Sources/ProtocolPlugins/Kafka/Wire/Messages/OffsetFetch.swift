// OffsetFetch (key 9), from Kafka 3.9's OffsetFetchRequest/Response specs.

/// Reads a group's committed offsets: one group (v0–7), or several at once (v8+, KIP-709).
///
/// The spec declares the per-group topics (v8+) as separate structs from the v0–7 ones
/// with the same fields; one `Topic` and one `Partition` serve both here, their field
/// versions being the union (each is only ever read inside a parent of matching version).
public struct OffsetFetchRequest: KafkaRequest {
    public typealias Response = OffsetFetchResponse
    public static let apiKey = ApiKey.offsetFetch
    public static let validVersions: Versions = "0-9"
    public static let flexibleVersions: Versions = "6+"

    /// The group (v0–7).
    public var groupId = ""
    /// The partitions wanted (v0–7); nil (v2+) means every partition the group committed.
    public var topics: [Topic]? = []
    /// The groups wanted (v8+).
    public var groups: [Group] = []
    /// Wait for pending transactional commits (v7+); there are none here.
    public var requireStable = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("GroupId", \.groupId, .string, versions: "0-7"),
        Field("Topics", \.topics, .nullableArray(Topic.self), versions: "0-7", nullable: "2-7"),
        Field("Groups", \.groups, .array(Group.self), versions: "8+"),
        Field("RequireStable", \.requireStable, .bool, versions: "7+"),
    ]

    public struct Group: KafkaStruct {
        public var groupId = ""
        /// The member asking (v9+, new consumer protocol only).
        public var memberId: String?
        /// The member's epoch (v9+, new consumer protocol only).
        public var memberEpoch: Int32 = -1
        /// nil means every partition the group committed.
        public var topics: [Topic]? = []

        public init() {}
        public init(groupId: String, topics: [Topic]?) {
            self.groupId = groupId
            self.topics = topics
        }

        public static let fields: [Field<Self>] = [
            Field("GroupId", \.groupId, .string, versions: "8+"),
            Field("MemberId", \.memberId, .nullableString, versions: "9+", nullable: "9+"),
            Field("MemberEpoch", \.memberEpoch, .int32, versions: "9+"),
            Field("Topics", \.topics, .nullableArray(Topic.self), versions: "8+", nullable: "8+"),
        ]
    }

    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitionIndexes: [Int32] = []

        public init() {}
        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("PartitionIndexes", \.partitionIndexes, .array(.int32), versions: "0+"),
        ]
    }
}

public struct OffsetFetchResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    /// The one group's offsets (v0–7).
    public var topics: [Topic] = []
    /// The group-level error (v2–7).
    public var errorCode: Int16 = 0
    /// Each group's offsets and error (v8+).
    public var groups: [Group] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "3+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0-7"),
        Field("ErrorCode", \.errorCode, .int16, versions: "2-7"),
        Field("Groups", \.groups, .array(Group.self), versions: "8+"),
    ]

    public struct Group: KafkaStruct {
        public var groupId = ""
        public var topics: [Topic] = []
        public var errorCode: Int16 = 0

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("GroupId", \.groupId, .string, versions: "8+"),
            Field("Topics", \.topics, .array(Topic.self), versions: "8+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "8+"),
        ]
    }

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
        /// -1 when the group has committed nothing for the partition.
        public var committedOffset: Int64 = -1
        /// v5–7 in the one-group layout, v8+ in the per-group one; -1 when unknown.
        public var committedLeaderEpoch: Int32 = -1
        public var metadata: String?
        public var errorCode: Int16 = 0

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("CommittedOffset", \.committedOffset, .int64, versions: "0+"),
            Field("CommittedLeaderEpoch", \.committedLeaderEpoch, .int32, versions: "5+"),
            Field("Metadata", \.metadata, .nullableString, versions: "0+", nullable: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        ]
    }
}
