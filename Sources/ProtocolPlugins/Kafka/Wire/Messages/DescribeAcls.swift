import Foundation

// DescribeAcls (key 29), from Kafka 3.9's DescribeAclsRequest/Response specs.

/// The DescribeAcls request: a filter over ACLs (numbers as in Kafka's `AclBindingFilter`).
public struct DescribeAclsRequest: KafkaRequest {
    public typealias Response = DescribeAclsResponse
    public static let apiKey = ApiKey.describeAcls
    public static let validVersions: Versions = "0-3"
    public static let flexibleVersions: Versions = "2+"

    public var resourceTypeFilter: Int8 = 0
    public var resourceNameFilter: String? = nil
    /// Pattern type filter; v0 has none and means LITERAL (3).
    public var patternTypeFilter: Int8 = 3
    public var principalFilter: String? = nil
    public var hostFilter: String? = nil
    public var operation: Int8 = 0
    public var permissionType: Int8 = 0

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ResourceTypeFilter", \.resourceTypeFilter, .int8, versions: "0+"),
        Field("ResourceNameFilter", \.resourceNameFilter, .nullableString, versions: "0+", nullable: "0+"),
        Field("PatternTypeFilter", \.patternTypeFilter, .int8, versions: "1+"),
        Field("PrincipalFilter", \.principalFilter, .nullableString, versions: "0+", nullable: "0+"),
        Field("HostFilter", \.hostFilter, .nullableString, versions: "0+", nullable: "0+"),
        Field("Operation", \.operation, .int8, versions: "0+"),
        Field("PermissionType", \.permissionType, .int8, versions: "0+"),
    ]
}

/// The DescribeAcls response: the matching ACLs grouped by resource pattern.
public struct DescribeAclsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var errorMessage: String? = nil
    public var resources: [Resource] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        Field("Resources", \.resources, .array(Resource.self), versions: "0+"),
    ]

    /// One resource pattern and its ACLs.
    public struct Resource: KafkaStruct {
        public var resourceType: Int8 = 0
        public var resourceName = ""
        public var patternType: Int8 = 3
        public var acls: [AclDescription] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ResourceType", \.resourceType, .int8, versions: "0+"),
            Field("ResourceName", \.resourceName, .string, versions: "0+"),
            Field("PatternType", \.patternType, .int8, versions: "1+"),
            Field("Acls", \.acls, .array(AclDescription.self), versions: "0+"),
        ]
    }

    /// One ACL entry of a resource.
    public struct AclDescription: KafkaStruct {
        public var principal = ""
        public var host = ""
        public var operation: Int8 = 0
        public var permissionType: Int8 = 0

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Principal", \.principal, .string, versions: "0+"),
            Field("Host", \.host, .string, versions: "0+"),
            Field("Operation", \.operation, .int8, versions: "0+"),
            Field("PermissionType", \.permissionType, .int8, versions: "0+"),
        ]
    }
}
