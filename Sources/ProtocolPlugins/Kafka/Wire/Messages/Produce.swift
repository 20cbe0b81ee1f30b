// Produce (key 0), from Kafka 3.9's ProduceRequest/Response specs.

/// The Produce request; its fields, versions and defaults follow Kafka 3.9's ProduceRequest spec.
public struct ProduceRequest: KafkaRequest {
    public typealias Response = ProduceResponse
    public static let apiKey = ApiKey.produce
    public static let validVersions: Versions = "0-11"
    public static let flexibleVersions: Versions = "9+"

    public var transactionalId: String?
    /// 0: no acknowledgement (and no response); 1: the leader; -1: every in-sync replica.
    public var acks: Int16 = 0
    /// How long the broker may wait for acknowledgements, in milliseconds.
    public var timeoutMs: Int32 = 0
    public var topicData: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("TransactionalId", \.transactionalId, .nullableString, versions: "3+", nullable: "3+"),
        Field("Acks", \.acks, .int16, versions: "0+"),
        Field("TimeoutMs", \.timeoutMs, .int32, versions: "0+"),
        Field("TopicData", \.topicData, .array(Topic.self), versions: "0+"),
    ]

    /// One Topic entry of `ProduceRequest`.
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitionData: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("PartitionData", \.partitionData, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One Partition entry of `ProduceRequest`.
    public struct Partition: KafkaStruct {
        public var index: Int32 = 0
        public var records: RecordsData?

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Index", \.index, .int32, versions: "0+"),
            Field("Records", \.records, .records, versions: "0+", nullable: "0+"),
        ]
    }
}

/// The Produce response; its fields, versions and defaults follow Kafka 3.9's ProduceResponse spec.
public struct ProduceResponse: KafkaStruct {
    public var responses: [Topic] = []
    public var throttleTimeMs: Int32 = 0
    public var nodeEndpoints: [NodeEndpoint] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Responses", \.responses, .array(Topic.self), versions: "0+"),
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "1+"),
        Field("NodeEndpoints", \.nodeEndpoints, .array(NodeEndpoint.self), versions: "10+", tag: 0),
    ]

    /// One Topic entry of `ProduceResponse`.
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitionResponses: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("PartitionResponses", \.partitionResponses, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One Partition entry of `ProduceResponse`.
    public struct Partition: KafkaStruct {
        public var index: Int32 = 0
        public var errorCode: Int16 = 0
        public var baseOffset: Int64 = 0
        /// The broker's append time (ms) for LogAppendTime topics; -1 for CreateTime.
        public var logAppendTimeMs: Int64 = -1
        public var logStartOffset: Int64 = -1
        public var recordErrors: [RecordError] = []
        public var errorMessage: String?
        public var currentLeader = LeaderIdAndEpoch()

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Index", \.index, .int32, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("BaseOffset", \.baseOffset, .int64, versions: "0+"),
            Field("LogAppendTimeMs", \.logAppendTimeMs, .int64, versions: "2+"),
            Field("LogStartOffset", \.logStartOffset, .int64, versions: "5+"),
            Field("RecordErrors", \.recordErrors, .array(RecordError.self), versions: "8+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "8+", nullable: "8+"),
            Field("CurrentLeader", \.currentLeader, .struct(LeaderIdAndEpoch.self), versions: "10+", tag: 0),
        ]
    }

    /// One RecordError entry of `ProduceResponse`.
    public struct RecordError: KafkaStruct {
        public var batchIndex: Int32 = 0
        public var batchIndexErrorMessage: String?

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("BatchIndex", \.batchIndex, .int32, versions: "8+"),
            Field("BatchIndexErrorMessage", \.batchIndexErrorMessage, .nullableString, versions: "8+", nullable: "8+"),
        ]
    }
}

/// A partition's leader and leader epoch (-1 when unknown), as Produce and Fetch
/// responses report it after a NOT_LEADER_OR_FOLLOWER error.
public struct LeaderIdAndEpoch: KafkaStruct {
    public var leaderId: Int32 = -1
    public var leaderEpoch: Int32 = -1

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("LeaderId", \.leaderId, .int32, versions: "0+"),
        Field("LeaderEpoch", \.leaderEpoch, .int32, versions: "0+"),
    ]
}

/// A broker's address, as Produce (v10+) and Fetch (v16+) responses list leaders.
public struct NodeEndpoint: KafkaStruct {
    public var nodeId: Int32 = 0
    public var host = ""
    public var port: Int32 = 0
    public var rack: String?

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("NodeId", \.nodeId, .int32, versions: "0+"),
        Field("Host", \.host, .string, versions: "0+"),
        Field("Port", \.port, .int32, versions: "0+"),
        Field("Rack", \.rack, .nullableString, versions: "0+", nullable: "0+"),
    ]
}
