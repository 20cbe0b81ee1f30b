// OffsetDelete (key 47), from Kafka 3.9's OffsetDeleteRequest/Response specs.

/// Deletes a group's committed offsets for some partitions (KIP-496); refused while
/// members of the group still consume the topic.
public struct OffsetDeleteRequest: KafkaRequest {
    public typealias Response = OffsetDeleteResponse
    public static let apiKey = ApiKey.offsetDelete
    public static let validVersions: Versions = "0"
    public static let flexibleVersions: Versions = "none"

    public var groupId = ""
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("GroupId", \.groupId, .string, versions: "0+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitions: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0

        public init() {}
        public init(partitionIndex: Int32) { self.partitionIndex = partitionIndex }

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
        ]
    }
}

public struct OffsetDeleteResponse: KafkaStruct {
    /// The group-level error; GROUP_SUBSCRIBED_TO_TOPIC lands on each partition instead.
    public var errorCode: Int16 = 0
    public var throttleTimeMs: Int32 = 0
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
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
