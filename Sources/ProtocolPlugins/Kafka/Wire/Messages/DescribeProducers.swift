// DescribeProducers (key 61), from Kafka 3.9's DescribeProducersRequest/Response specs.

/// Asks a partition leader for the producers it holds state for (KIP-664): their epochs,
/// last sequences and the start offset of their open transaction, if any.
public struct DescribeProducersRequest: KafkaRequest {
    public typealias Response = DescribeProducersResponse
    public static let apiKey = ApiKey.describeProducers
    public static let validVersions: Versions = "0"
    public static let flexibleVersions: Versions = "0+"

    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// A topic and the partitions to describe ("TopicRequest").
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

/// The producers of each asked partition.
public struct DescribeProducersResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// One topic ("TopicResponse").
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

    /// One partition ("PartitionResponse").
    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil
        public var activeProducers: [ProducerState] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
            Field("ActiveProducers", \.activeProducers, .array(ProducerState.self), versions: "0+"),
        ]
    }

    /// One producer's state on the partition.
    public struct ProducerState: KafkaStruct {
        public var producerId: Int64 = 0
        /// The producer's epoch; an int32 on this API's wire, unlike elsewhere.
        public var producerEpoch: Int32 = 0
        /// The sequence of its last appended record; -1 when none.
        public var lastSequence: Int32 = -1
        /// The timestamp of its last append, in milliseconds since the epoch; -1 when none.
        public var lastTimestamp: Int64 = -1
        /// The epoch of the coordinator that wrote its last marker.
        public var coordinatorEpoch: Int32 = 0
        /// The first offset of its open transaction; -1 when it has none.
        public var currentTxnStartOffset: Int64 = -1

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ProducerId", \.producerId, .int64, versions: "0+"),
            Field("ProducerEpoch", \.producerEpoch, .int32, versions: "0+"),
            Field("LastSequence", \.lastSequence, .int32, versions: "0+"),
            Field("LastTimestamp", \.lastTimestamp, .int64, versions: "0+"),
            Field("CoordinatorEpoch", \.coordinatorEpoch, .int32, versions: "0+"),
            Field("CurrentTxnStartOffset", \.currentTxnStartOffset, .int64, versions: "0+"),
        ]
    }
}
