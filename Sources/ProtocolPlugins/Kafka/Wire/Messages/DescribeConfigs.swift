// DescribeConfigs (key 32), from Kafka 3.9's DescribeConfigsRequest/Response specs.

/// The DescribeConfigs request; its fields, versions and defaults follow Kafka 3.9's DescribeConfigsRequest spec.
public struct DescribeConfigsRequest: KafkaRequest {
    public typealias Response = DescribeConfigsResponse
    public static let apiKey = ApiKey.describeConfigs
    public static let validVersions: Versions = "0-4"
    public static let flexibleVersions: Versions = "4+"

    /// Kafka's config resource types.
    public enum ResourceType {
        public static let topic: Int8 = 2
        public static let broker: Int8 = 4
        public static let brokerLogger: Int8 = 8
    }

    public var resources: [Resource] = []
    public var includeSynonyms = false
    public var includeDocumentation = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Resources", \.resources, .array(Resource.self), versions: "0+"),
        Field("IncludeSynonyms", \.includeSynonyms, .bool, versions: "1+"),
        Field("IncludeDocumentation", \.includeDocumentation, .bool, versions: "3+"),
    ]

    /// One Resource entry of `DescribeConfigsRequest`.
    public struct Resource: KafkaStruct {
        public var resourceType: Int8 = 0
        public var resourceName = ""
        /// The keys wanted; nil for every key.
        public var configurationKeys: [String]? = nil

        public init() {}
        public init(resourceType: Int8, resourceName: String, configurationKeys: [String]? = nil) {
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.configurationKeys = configurationKeys
        }

        public static let fields: [Field<Self>] = [
            Field("ResourceType", \.resourceType, .int8, versions: "0+"),
            Field("ResourceName", \.resourceName, .string, versions: "0+"),
            Field("ConfigurationKeys", \.configurationKeys, .nullableArray(.string), versions: "0+", nullable: "0+"),
        ]
    }
}

/// The DescribeConfigs response; its fields, versions and defaults follow Kafka 3.9's DescribeConfigsResponse spec.
public struct DescribeConfigsResponse: KafkaStruct {
    /// Where a config value comes from (Kafka's `ConfigSource`).
    public enum Source {
        public static let unknown: Int8 = 0
        public static let dynamicTopic: Int8 = 1
        public static let dynamicBroker: Int8 = 2
        public static let dynamicDefaultBroker: Int8 = 3
        public static let staticBroker: Int8 = 4
        public static let `default`: Int8 = 5
    }

    /// A config value's type (Kafka's `ConfigType`).
    public enum ConfigType {
        public static let boolean: Int8 = 1
        public static let string: Int8 = 2
        public static let int: Int8 = 3
        public static let short: Int8 = 4
        public static let long: Int8 = 5
        public static let double: Int8 = 6
        public static let list: Int8 = 7
    }

    public var throttleTimeMs: Int32 = 0
    public var results: [Result] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("Results", \.results, .array(Result.self), versions: "0+"),
    ]

    /// One Result entry of `DescribeConfigsResponse`.
    public struct Result: KafkaStruct {
        public var errorCode: Int16 = 0
        public var errorMessage: String?
        public var resourceType: Int8 = 0
        public var resourceName = ""
        public var configs: [Config] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
            Field("ResourceType", \.resourceType, .int8, versions: "0+"),
            Field("ResourceName", \.resourceName, .string, versions: "0+"),
            Field("Configs", \.configs, .array(Config.self), versions: "0+"),
        ]
    }

    /// One Config entry of `DescribeConfigsResponse`.
    public struct Config: KafkaStruct {
        public var name = ""
        public var value: String?
        public var readOnly = false
        public var isDefault = false
        public var configSource: Int8 = -1
        public var isSensitive = false
        public var synonyms: [Synonym] = []
        public var configType: Int8 = 0
        public var documentation: String?

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Value", \.value, .nullableString, versions: "0+", nullable: "0+"),
            Field("ReadOnly", \.readOnly, .bool, versions: "0+"),
            Field("IsDefault", \.isDefault, .bool, versions: "0"),
            Field("ConfigSource", \.configSource, .int8, versions: "1+"),
            Field("IsSensitive", \.isSensitive, .bool, versions: "0+"),
            Field("Synonyms", \.synonyms, .array(Synonym.self), versions: "1+"),
            Field("ConfigType", \.configType, .int8, versions: "3+"),
            Field("Documentation", \.documentation, .nullableString, versions: "3+", nullable: "0+"),
        ]
    }

    /// One Synonym entry of `DescribeConfigsResponse`.
    public struct Synonym: KafkaStruct {
        public var name = ""
        public var value: String?
        public var source: Int8 = 0

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "1+"),
            Field("Value", \.value, .nullableString, versions: "1+", nullable: "0+"),
            Field("Source", \.source, .int8, versions: "1+"),
        ]
    }
}
