// TxnOffsetCommit (key 28), from Kafka 3.9's TxnOffsetCommitRequest/Response specs.

/// Stages a group's offsets inside a transaction: they become the group's committed
/// offsets when the transaction commits and are dropped when it aborts.
public struct TxnOffsetCommitRequest: KafkaRequest {
    public typealias Response = TxnOffsetCommitResponse
    public static let apiKey = ApiKey.txnOffsetCommit
    public static let validVersions: Versions = "0-4"
    public static let flexibleVersions: Versions = "3+"

    public var transactionalId = ""
    public var groupId = ""
    public var producerId: Int64 = 0
    public var producerEpoch: Int16 = 0
    /// The consumer's generation (v3+); -1 when the producer does not know it.
    public var generationId: Int32 = -1
    /// The consumer's member id (v3+); empty when unknown.
    public var memberId = ""
    /// `group.instance.id` of a static member (v3+).
    public var groupInstanceId: String? = nil
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("TransactionalId", \.transactionalId, .string, versions: "0+"),
        Field("GroupId", \.groupId, .string, versions: "0+"),
        Field("ProducerId", \.producerId, .int64, versions: "0+"),
        Field("ProducerEpoch", \.producerEpoch, .int16, versions: "0+"),
        Field("GenerationId", \.generationId, .int32, versions: "3+"),
        Field("MemberId", \.memberId, .string, versions: "3+"),
        Field("GroupInstanceId", \.groupInstanceId, .nullableString, versions: "3+", nullable: "3+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// One topic's offsets ("TxnOffsetCommitRequestTopic").
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

    /// One partition's offset ("TxnOffsetCommitRequestPartition").
    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        /// The next offset the group will consume.
        public var committedOffset: Int64 = 0
        /// The leader epoch of the last consumed record (v2+); -1 when unknown.
        public var committedLeaderEpoch: Int32 = -1
        /// Free text the client stores with the offset.
        public var committedMetadata: String? = nil

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
            Field("CommittedLeaderEpoch", \.committedLeaderEpoch, .int32, versions: "2+"),
            Field("CommittedMetadata", \.committedMetadata, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}

/// Per-partition outcomes of a TxnOffsetCommit.
public struct TxnOffsetCommitResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// One topic's results ("TxnOffsetCommitResponseTopic").
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

    /// One partition's error code ("TxnOffsetCommitResponsePartition").
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
