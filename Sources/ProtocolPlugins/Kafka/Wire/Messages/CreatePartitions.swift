// CreatePartitions (key 37), from Kafka 3.9's CreatePartitionsRequest/Response specs.

/// The CreatePartitions request; its fields, versions and defaults follow Kafka 3.9's CreatePartitionsRequest spec.
public struct CreatePartitionsRequest: KafkaRequest {
    public typealias Response = CreatePartitionsResponse
    public static let apiKey = ApiKey.createPartitions
    public static let validVersions: Versions = "0-3"
    public static let flexibleVersions: Versions = "2+"

    public var topics: [Topic] = []
    /// How long to wait for the partitions to be created, in milliseconds.
    public var timeoutMs: Int32 = 0
    public var validateOnly = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
        Field("TimeoutMs", \.timeoutMs, .int32, versions: "0+"),
        Field("ValidateOnly", \.validateOnly, .bool, versions: "0+"),
    ]

    /// One Topic entry of `CreatePartitionsRequest`.
    public struct Topic: KafkaStruct {
        public var name = ""
        /// The new total number of partitions.
        public var count: Int32 = 0
        public var assignments: [Assignment]? = nil

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Count", \.count, .int32, versions: "0+"),
            Field("Assignments", \.assignments, .nullableArray(Assignment.self), versions: "0+", nullable: "0+"),
        ]
    }

    /// One Assignment entry of `CreatePartitionsRequest`.
    public struct Assignment: KafkaStruct {
        public var brokerIds: [Int32] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("BrokerIds", \.brokerIds, .array(.int32), versions: "0+"),
        ]
    }
}

/// The CreatePartitions response; its fields, versions and defaults follow Kafka 3.9's CreatePartitionsResponse spec.
public struct CreatePartitionsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var results: [Result] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("Results", \.results, .array(Result.self), versions: "0+"),
    ]

    /// One Result entry of `CreatePartitionsResponse`.
    public struct Result: KafkaStruct {
        public var name = ""
        public var errorCode: Int16 = 0
        public var errorMessage: String?

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}
