import Foundation

// CreateAcls (key 30), from Kafka 3.9's CreateAclsRequest/Response specs.

/// The CreateAcls request: ACLs to store.
public struct CreateAclsRequest: KafkaRequest {
    public typealias Response = CreateAclsResponse
    public static let apiKey = ApiKey.createAcls
    public static let validVersions: Versions = "0-3"
    public static let flexibleVersions: Versions = "2+"

    public var creations: [Creation] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Creations", \.creations, .array(Creation.self), versions: "0+"),
    ]

    /// One ACL to create.
    public struct Creation: KafkaStruct {
        public var resourceType: Int8 = 0
        public var resourceName = ""
        /// v0 has none and means LITERAL (3).
        public var resourcePatternType: Int8 = 3
        public var principal = ""
        public var host = ""
        public var operation: Int8 = 0
        public var permissionType: Int8 = 0

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ResourceType", \.resourceType, .int8, versions: "0+"),
            Field("ResourceName", \.resourceName, .string, versions: "0+"),
            Field("ResourcePatternType", \.resourcePatternType, .int8, versions: "1+"),
            Field("Principal", \.principal, .string, versions: "0+"),
            Field("Host", \.host, .string, versions: "0+"),
            Field("Operation", \.operation, .int8, versions: "0+"),
            Field("PermissionType", \.permissionType, .int8, versions: "0+"),
        ]
    }
}

/// The CreateAcls response: one result per creation, in order.
public struct CreateAclsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var results: [Result] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("Results", \.results, .array(Result.self), versions: "0+"),
    ]

    /// The outcome of one creation.
    public struct Result: KafkaStruct {
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}
