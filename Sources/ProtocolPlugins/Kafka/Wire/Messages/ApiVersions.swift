// ApiVersions (key 18), from Kafka 3.9's ApiVersionsRequest/Response specs.

/// The ApiVersions request; its fields, versions and defaults follow Kafka 3.9's ApiVersionsRequest spec.
public struct ApiVersionsRequest: KafkaRequest {
    public typealias Response = ApiVersionsResponse
    public static let apiKey = ApiKey.apiVersions
    public static let validVersions: Versions = "0-4"
    public static let flexibleVersions: Versions = "3+"

    public var clientSoftwareName = ""
    public var clientSoftwareVersion = ""

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ClientSoftwareName", \.clientSoftwareName, .string, versions: "3+"),
        Field("ClientSoftwareVersion", \.clientSoftwareVersion, .string, versions: "3+"),
    ]
}

/// The ApiVersions response; its fields, versions and defaults follow Kafka 3.9's ApiVersionsResponse spec.
public struct ApiVersionsResponse: KafkaStruct {
    public var errorCode: Int16 = 0
    public var apiKeys: [ApiVersion] = []
    public var throttleTimeMs: Int32 = 0
    public var supportedFeatures: [SupportedFeature] = []
    public var finalizedFeaturesEpoch: Int64 = -1
    public var finalizedFeatures: [FinalizedFeature] = []
    public var zkMigrationReady = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ApiKeys", \.apiKeys, .array(ApiVersion.self), versions: "0+"),
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "1+"),
        Field("SupportedFeatures", \.supportedFeatures, .array(SupportedFeature.self), versions: "3+", tag: 0),
        Field("FinalizedFeaturesEpoch", \.finalizedFeaturesEpoch, .int64, versions: "3+", tag: 1),
        Field("FinalizedFeatures", \.finalizedFeatures, .array(FinalizedFeature.self), versions: "3+", tag: 2),
        Field("ZkMigrationReady", \.zkMigrationReady, .bool, versions: "3+", tag: 3),
    ]

    /// One ApiVersion entry of `ApiVersionsResponse`.
    public struct ApiVersion: KafkaStruct {
        public var apiKey: Int16 = 0
        public var minVersion: Int16 = 0
        public var maxVersion: Int16 = 0

        public init() {}
        public init(apiKey: Int16, minVersion: Int16, maxVersion: Int16) {
            self.apiKey = apiKey
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }

        public static let fields: [Field<Self>] = [
            Field("ApiKey", \.apiKey, .int16, versions: "0+"),
            Field("MinVersion", \.minVersion, .int16, versions: "0+"),
            Field("MaxVersion", \.maxVersion, .int16, versions: "0+"),
        ]
    }

    /// One SupportedFeature entry of `ApiVersionsResponse`.
    public struct SupportedFeature: KafkaStruct {
        public var name = ""
        public var minVersion: Int16 = 0
        public var maxVersion: Int16 = 0

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "3+"),
            Field("MinVersion", \.minVersion, .int16, versions: "3+"),
            Field("MaxVersion", \.maxVersion, .int16, versions: "3+"),
        ]
    }

    /// One FinalizedFeature entry of `ApiVersionsResponse`.
    public struct FinalizedFeature: KafkaStruct {
        public var name = ""
        public var maxVersionLevel: Int16 = 0
        public var minVersionLevel: Int16 = 0

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "3+"),
            Field("MaxVersionLevel", \.maxVersionLevel, .int16, versions: "3+"),
            Field("MinVersionLevel", \.minVersionLevel, .int16, versions: "3+"),
        ]
    }
}
