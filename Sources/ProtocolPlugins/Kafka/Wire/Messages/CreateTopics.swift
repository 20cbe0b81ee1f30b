import Foundation

// CreateTopics (key 19), from Kafka 3.9's CreateTopicsRequest/Response specs.

/// The CreateTopics request; its fields, versions and defaults follow Kafka 3.9's CreateTopicsRequest spec.
public struct CreateTopicsRequest: KafkaRequest {
    public typealias Response = CreateTopicsResponse
    public static let apiKey = ApiKey.createTopics
    public static let validVersions: Versions = "0-7"
    public static let flexibleVersions: Versions = "5+"

    public var topics: [Topic] = []
    /// How long to wait for the topics to be created, in milliseconds. Default 60000.
    public var timeoutMs: Int32 = 60_000
    public var validateOnly = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
        Field("timeoutMs", \.timeoutMs, .int32, versions: "0+"),
        Field("validateOnly", \.validateOnly, .bool, versions: "1+"),
    ]

    /// One Topic entry of `CreateTopicsRequest`.
    public struct Topic: KafkaStruct {
        public var name = ""
        /// -1 for the broker's default (v4+).
        public var numPartitions: Int32 = -1
        /// -1 for the broker's default (v4+).
        public var replicationFactor: Int16 = -1
        public var assignments: [Assignment] = []
        public var configs: [Config] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("NumPartitions", \.numPartitions, .int32, versions: "0+"),
            Field("ReplicationFactor", \.replicationFactor, .int16, versions: "0+"),
            Field("Assignments", \.assignments, .array(Assignment.self), versions: "0+"),
            Field("Configs", \.configs, .array(Config.self), versions: "0+"),
        ]
    }

    /// One Assignment entry of `CreateTopicsRequest`.
    public struct Assignment: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var brokerIds: [Int32] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("BrokerIds", \.brokerIds, .array(.int32), versions: "0+"),
        ]
    }

    /// One Config entry of `CreateTopicsRequest`.
    public struct Config: KafkaStruct {
        public var name = ""
        public var value: String?

        public init() {}
        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Value", \.value, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}

/// The CreateTopics response; its fields, versions and defaults follow Kafka 3.9's CreateTopicsResponse spec.
public struct CreateTopicsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "2+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// One Topic entry of `CreateTopicsResponse`.
    public struct Topic: KafkaStruct {
        public var name = ""
        public var topicId = UUID.zero
        public var errorCode: Int16 = 0
        public var errorMessage: String?
        public var topicConfigErrorCode: Int16 = 0
        public var numPartitions: Int32 = -1
        public var replicationFactor: Int16 = -1
        public var configs: [Config]? = nil

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("TopicId", \.topicId, .uuid, versions: "7+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "1+", nullable: "0+"),
            Field("TopicConfigErrorCode", \.topicConfigErrorCode, .int16, versions: "5+", tag: 0),
            Field("NumPartitions", \.numPartitions, .int32, versions: "5+"),
            Field("ReplicationFactor", \.replicationFactor, .int16, versions: "5+"),
            Field("Configs", \.configs, .nullableArray(Config.self), versions: "5+", nullable: "5+"),
        ]
    }

    /// One Config entry of `CreateTopicsResponse`.
    public struct Config: KafkaStruct {
        public var name = ""
        public var value: String?
        public var readOnly = false
        public var configSource: Int8 = -1
        public var isSensitive = false

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "5+"),
            Field("Value", \.value, .nullableString, versions: "5+", nullable: "5+"),
            Field("ReadOnly", \.readOnly, .bool, versions: "5+"),
            Field("ConfigSource", \.configSource, .int8, versions: "5+"),
            Field("IsSensitive", \.isSensitive, .bool, versions: "5+"),
        ]
    }
}
