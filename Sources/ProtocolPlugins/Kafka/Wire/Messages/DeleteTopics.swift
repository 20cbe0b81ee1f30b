import Foundation

// DeleteTopics (key 20), from Kafka 3.9's DeleteTopicsRequest/Response specs.

/// The DeleteTopics request; its fields, versions and defaults follow Kafka 3.9's DeleteTopicsRequest spec.
public struct DeleteTopicsRequest: KafkaRequest {
    public typealias Response = DeleteTopicsResponse
    public static let apiKey = ApiKey.deleteTopics
    public static let validVersions: Versions = "0-6"
    public static let flexibleVersions: Versions = "4+"

    /// The topics by name or id (v6+).
    public var topics: [Topic] = []
    /// The topics by name (v0–5).
    public var topicNames: [String] = []
    /// How long to wait for the deletion, in milliseconds.
    public var timeoutMs: Int32 = 0

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Topics", \.topics, .array(Topic.self), versions: "6+"),
        Field("TopicNames", \.topicNames, .array(.string), versions: "0-5"),
        Field("TimeoutMs", \.timeoutMs, .int32, versions: "0+"),
    ]

    /// One Topic entry of `DeleteTopicsRequest`.
    public struct Topic: KafkaStruct {
        public var name: String?
        public var topicId = UUID.zero

        public init() {}
        public init(name: String?, topicId: UUID = .zero) {
            self.name = name
            self.topicId = topicId
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .nullableString, versions: "6+", nullable: "6+"),
            Field("TopicId", \.topicId, .uuid, versions: "6+"),
        ]
    }
}

/// The DeleteTopics response; its fields, versions and defaults follow Kafka 3.9's DeleteTopicsResponse spec.
public struct DeleteTopicsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var responses: [Result] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "1+"),
        Field("Responses", \.responses, .array(Result.self), versions: "0+"),
    ]

    /// One Result entry of `DeleteTopicsResponse`.
    public struct Result: KafkaStruct {
        public var name: String? = ""
        public var topicId = UUID.zero
        public var errorCode: Int16 = 0
        public var errorMessage: String?

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .nullableString, versions: "0+", nullable: "6+"),
            Field("TopicId", \.topicId, .uuid, versions: "6+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "5+", nullable: "5+"),
        ]
    }
}
