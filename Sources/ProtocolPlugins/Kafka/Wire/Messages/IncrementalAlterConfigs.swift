// IncrementalAlterConfigs (key 44), from Kafka 3.9's IncrementalAlterConfigsRequest/Response specs.

/// The IncrementalAlterConfigs request; its fields, versions and defaults follow Kafka 3.9's
/// IncrementalAlterConfigsRequest spec.
public struct IncrementalAlterConfigsRequest: KafkaRequest {
    public typealias Response = IncrementalAlterConfigsResponse
    public static let apiKey = ApiKey.incrementalAlterConfigs
    public static let validVersions: Versions = "0-1"
    public static let flexibleVersions: Versions = "1+"

    /// Kafka's `AlterConfigOp.OpType` codes.
    public enum Operation {
        public static let set: Int8 = 0
        public static let delete: Int8 = 1
        public static let append: Int8 = 2
        public static let subtract: Int8 = 3
    }

    public var resources: [Resource] = []
    public var validateOnly = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Resources", \.resources, .array(Resource.self), versions: "0+"),
        Field("ValidateOnly", \.validateOnly, .bool, versions: "0+"),
    ]

    /// One AlterConfigsResource entry: a resource (type 2 = topic) and its changes.
    public struct Resource: KafkaStruct {
        public var resourceType: Int8 = 0
        public var resourceName = ""
        public var configs: [Config] = []

        public init() {}
        public init(resourceType: Int8, resourceName: String, configs: [Config]) {
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.configs = configs
        }

        public static let fields: [Field<Self>] = [
            Field("ResourceType", \.resourceType, .int8, versions: "0+"),
            Field("ResourceName", \.resourceName, .string, versions: "0+"),
            Field("Configs", \.configs, .array(Config.self), versions: "0+"),
        ]
    }

    /// One AlterableConfig entry: a key, an `Operation` and the value it uses.
    public struct Config: KafkaStruct {
        public var name = ""
        public var configOperation: Int8 = 0
        public var value: String?

        public init() {}
        public init(name: String, operation: Int8, value: String?) {
            self.name = name
            self.configOperation = operation
            self.value = value
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("ConfigOperation", \.configOperation, .int8, versions: "0+"),
            Field("Value", \.value, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}

/// The IncrementalAlterConfigs response; its fields follow Kafka 3.9's IncrementalAlterConfigsResponse spec.
public struct IncrementalAlterConfigsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var responses: [AlterConfigsResult] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("Responses", \.responses, .array(AlterConfigsResult.self), versions: "0+"),
    ]
}

/// One resource's outcome in AlterConfigs and IncrementalAlterConfigs responses.
public struct AlterConfigsResult: KafkaStruct {
    public var errorCode: Int16 = 0
    public var errorMessage: String?
    public var resourceType: Int8 = 0
    public var resourceName = ""

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        Field("ResourceType", \.resourceType, .int8, versions: "0+"),
        Field("ResourceName", \.resourceName, .string, versions: "0+"),
    ]
}
