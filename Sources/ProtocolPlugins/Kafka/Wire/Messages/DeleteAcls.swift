import Foundation

// DeleteAcls (key 31), from Kafka 3.9's DeleteAclsRequest/Response specs.

/// The DeleteAcls request: filters whose matching ACLs are removed.
public struct DeleteAclsRequest: KafkaRequest {
    public typealias Response = DeleteAclsResponse
    public static let apiKey = ApiKey.deleteAcls
    public static let validVersions: Versions = "0-3"
    public static let flexibleVersions: Versions = "2+"

    public var filters: [Filter] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Filters", \.filters, .array(Filter.self), versions: "0+"),
    ]

    /// One filter (numbers as in Kafka's `AclBindingFilter`).
    public struct Filter: KafkaStruct {
        public var resourceTypeFilter: Int8 = 0
        public var resourceNameFilter: String? = nil
        /// v0 has none and means LITERAL (3).
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
}

/// The DeleteAcls response: per filter, the ACLs it removed.
public struct DeleteAclsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var filterResults: [FilterResult] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("FilterResults", \.filterResults, .array(FilterResult.self), versions: "0+"),
    ]

    /// The outcome of one filter.
    public struct FilterResult: KafkaStruct {
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil
        public var matchingAcls: [MatchingAcl] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
            Field("MatchingAcls", \.matchingAcls, .array(MatchingAcl.self), versions: "0+"),
        ]
    }

    /// One removed ACL.
    public struct MatchingAcl: KafkaStruct {
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil
        public var resourceType: Int8 = 0
        public var resourceName = ""
        public var patternType: Int8 = 3
        public var principal = ""
        public var host = ""
        public var operation: Int8 = 0
        public var permissionType: Int8 = 0

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
            Field("ResourceType", \.resourceType, .int8, versions: "0+"),
            Field("ResourceName", \.resourceName, .string, versions: "0+"),
            Field("PatternType", \.patternType, .int8, versions: "1+"),
            Field("Principal", \.principal, .string, versions: "0+"),
            Field("Host", \.host, .string, versions: "0+"),
            Field("Operation", \.operation, .int8, versions: "0+"),
            Field("PermissionType", \.permissionType, .int8, versions: "0+"),
        ]
    }
}
