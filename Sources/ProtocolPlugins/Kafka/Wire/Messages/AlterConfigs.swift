// AlterConfigs (key 33), from Kafka 3.9's AlterConfigsRequest/Response specs.

/// The AlterConfigs request (replaces a resource's whole set of overrides); its fields,
/// versions and defaults follow Kafka 3.9's AlterConfigsRequest spec.
public struct AlterConfigsRequest: KafkaRequest {
    public typealias Response = AlterConfigsResponse
    public static let apiKey = ApiKey.alterConfigs
    public static let validVersions: Versions = "0-2"
    public static let flexibleVersions: Versions = "2+"

    public var resources: [Resource] = []
    public var validateOnly = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Resources", \.resources, .array(Resource.self), versions: "0+"),
        Field("ValidateOnly", \.validateOnly, .bool, versions: "0+"),
    ]

    /// One AlterConfigsResource entry: a resource and every override it should have.
    public struct Resource: KafkaStruct {
        public var resourceType: Int8 = 0
        public var resourceName = ""
        public var configs: [Config] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ResourceType", \.resourceType, .int8, versions: "0+"),
            Field("ResourceName", \.resourceName, .string, versions: "0+"),
            Field("Configs", \.configs, .array(Config.self), versions: "0+"),
        ]
    }

    /// One AlterableConfig entry.
    public struct Config: KafkaStruct {
        public var name = ""
        public var value: String?

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Value", \.value, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}

/// The AlterConfigs response; its fields follow Kafka 3.9's AlterConfigsResponse spec.
public struct AlterConfigsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var responses: [AlterConfigsResult] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("Responses", \.responses, .array(AlterConfigsResult.self), versions: "0+"),
    ]
}
