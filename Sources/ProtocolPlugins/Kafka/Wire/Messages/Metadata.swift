import Foundation

// Metadata (key 3), from Kafka 3.9's MetadataRequest/Response specs.

/// The Metadata request; its fields, versions and defaults follow Kafka 3.9's MetadataRequest spec.
public struct MetadataRequest: KafkaRequest {
    public typealias Response = MetadataResponse
    public static let apiKey = ApiKey.metadata
    public static let validVersions: Versions = "0-12"
    public static let flexibleVersions: Versions = "9+"

    /// The topics wanted; nil (v1+) means every topic. In v0 an empty list means every topic.
    public var topics: [Topic]? = []
    public var allowAutoTopicCreation = true
    public var includeClusterAuthorizedOperations = false
    public var includeTopicAuthorizedOperations = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Topics", \.topics, .nullableArray(Topic.self), versions: "0+", nullable: "1+"),
        Field("AllowAutoTopicCreation", \.allowAutoTopicCreation, .bool, versions: "4+"),
        Field("IncludeClusterAuthorizedOperations", \.includeClusterAuthorizedOperations, .bool, versions: "8-10"),
        Field("IncludeTopicAuthorizedOperations", \.includeTopicAuthorizedOperations, .bool, versions: "8+"),
    ]

    /// One Topic entry of `MetadataRequest`.
    public struct Topic: KafkaStruct {
        public var topicId = UUID.zero
        public var name: String? = ""

        public init() {}
        public init(name: String?, topicId: UUID = .zero) {
            self.name = name
            self.topicId = topicId
        }

        public static let fields: [Field<Self>] = [
            Field("TopicId", \.topicId, .uuid, versions: "10+"),
            Field("Name", \.name, .nullableString, versions: "0+", nullable: "10+"),
        ]
    }
}

/// The Metadata response; its fields, versions and defaults follow Kafka 3.9's MetadataResponse spec.
public struct MetadataResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var brokers: [Broker] = []
    public var clusterId: String?
    public var controllerId: Int32 = -1
    public var topics: [Topic] = []
    public var clusterAuthorizedOperations: Int32 = .min

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "3+"),
        Field("Brokers", \.brokers, .array(Broker.self), versions: "0+"),
        Field("ClusterId", \.clusterId, .nullableString, versions: "2+", nullable: "2+"),
        Field("ControllerId", \.controllerId, .int32, versions: "1+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
        Field("ClusterAuthorizedOperations", \.clusterAuthorizedOperations, .int32, versions: "8-10"),
    ]

    /// One Broker entry of `MetadataResponse`.
    public struct Broker: KafkaStruct {
        public var nodeId: Int32 = 0
        public var host = ""
        public var port: Int32 = 0
        public var rack: String?

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("NodeId", \.nodeId, .int32, versions: "0+"),
            Field("Host", \.host, .string, versions: "0+"),
            Field("Port", \.port, .int32, versions: "0+"),
            Field("Rack", \.rack, .nullableString, versions: "1+", nullable: "1+"),
        ]
    }

    /// One Topic entry of `MetadataResponse`.
    public struct Topic: KafkaStruct {
        public var errorCode: Int16 = 0
        public var name: String? = ""
        public var topicId = UUID.zero
        public var isInternal = false
        public var partitions: [Partition] = []
        public var topicAuthorizedOperations: Int32 = .min

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("Name", \.name, .nullableString, versions: "0+", nullable: "12+"),
            Field("TopicId", \.topicId, .uuid, versions: "10+"),
            Field("IsInternal", \.isInternal, .bool, versions: "1+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
            Field("TopicAuthorizedOperations", \.topicAuthorizedOperations, .int32, versions: "8+"),
        ]
    }

    /// One Partition entry of `MetadataResponse`.
    public struct Partition: KafkaStruct {
        public var errorCode: Int16 = 0
        public var partitionIndex: Int32 = 0
        public var leaderId: Int32 = 0
        public var leaderEpoch: Int32 = -1
        public var replicaNodes: [Int32] = []
        public var isrNodes: [Int32] = []
        public var offlineReplicas: [Int32] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("LeaderId", \.leaderId, .int32, versions: "0+"),
            Field("LeaderEpoch", \.leaderEpoch, .int32, versions: "7+"),
            Field("ReplicaNodes", \.replicaNodes, .array(.int32), versions: "0+"),
            Field("IsrNodes", \.isrNodes, .array(.int32), versions: "0+"),
            Field("OfflineReplicas", \.offlineReplicas, .array(.int32), versions: "5+"),
        ]
    }
}
