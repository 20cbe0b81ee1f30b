import Foundation

// ElectLeaders (key 43), from Kafka 3.9's ElectLeadersRequest/Response specs.

/// The ElectLeaders request (KIP-183, KIP-460); its fields, versions and defaults follow
/// Kafka 3.9's ElectLeadersRequest spec. Sent to the controller.
public struct ElectLeadersRequest: KafkaRequest {
    public typealias Response = ElectLeadersResponse
    public static let apiKey = ApiKey.electLeaders
    public static let validVersions: Versions = "0-2"
    public static let flexibleVersions: Versions = "2+"

    /// 0 elects the preferred replica; 1 elects the first live replica when no in-sync
    /// replica is left (unclean). Version 0 always elects the preferred replica. Default 0.
    public var electionType: Int8 = 0
    /// The partitions to elect leaders of; nil means every partition.
    public var topicPartitions: [TopicPartitions]? = []
    /// How long to wait for the election, in milliseconds. Default 60000.
    public var timeoutMs: Int32 = 60_000

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ElectionType", \.electionType, .int8, versions: "1+"),
        Field("TopicPartitions", \.topicPartitions, .nullableArray(TopicPartitions.self), versions: "0+", nullable: "0+"),
        Field("TimeoutMs", \.timeoutMs, .int32, versions: "0+"),
    ]

    /// One topic and the partitions of it to elect leaders of.
    public struct TopicPartitions: KafkaStruct {
        public var topic = ""
        public var partitions: [Int32] = []

        public init() {}
        public init(topic: String, partitions: [Int32]) {
            self.topic = topic
            self.partitions = partitions
        }

        public static let fields: [Field<Self>] = [
            Field("Topic", \.topic, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(.int32), versions: "0+"),
        ]
    }
}

/// The ElectLeaders response; its fields, versions and defaults follow Kafka 3.9's
/// ElectLeadersResponse spec.
public struct ElectLeadersResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    /// The top-level error (e.g. NOT_CONTROLLER), 0 when none. Version 1 and later.
    public var errorCode: Int16 = 0
    public var replicaElectionResults: [ReplicaElectionResult] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "1+"),
        Field("ReplicaElectionResults", \.replicaElectionResults, .array(ReplicaElectionResult.self), versions: "0+"),
    ]

    /// The outcomes for one topic.
    public struct ReplicaElectionResult: KafkaStruct {
        public var topic = ""
        public var partitionResult: [PartitionResult] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Topic", \.topic, .string, versions: "0+"),
            Field("PartitionResult", \.partitionResult, .array(PartitionResult.self), versions: "0+"),
        ]
    }

    /// One partition's outcome: 0, or why no leader was elected.
    public struct PartitionResult: KafkaStruct {
        public var partitionId: Int32 = 0
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("PartitionId", \.partitionId, .int32, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}
