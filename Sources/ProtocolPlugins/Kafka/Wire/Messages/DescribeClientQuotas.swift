import Foundation

// DescribeClientQuotas (key 48), from Kafka 3.9's DescribeClientQuotasRequest/Response specs.

/// The DescribeClientQuotas request; its fields, versions and defaults follow Kafka 3.9's DescribeClientQuotasRequest spec.
public struct DescribeClientQuotasRequest: KafkaRequest {
    public typealias Response = DescribeClientQuotasResponse
    public static let apiKey = ApiKey.describeClientQuotas
    public static let validVersions: Versions = "0-1"
    public static let flexibleVersions: Versions = "1+"

    /// Filter components; an entity must match all of them.
    public var components: [Component] = []
    /// Whether entities naming types the components do not mention are left out.
    public var strict = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Components", \.components, .array(Component.self), versions: "0+"),
        Field("Strict", \.strict, .bool, versions: "0+"),
    ]

    /// One filter component.
    public struct Component: KafkaStruct {
        /// Match types of `matchType`.
        public static let matchExact: Int8 = 0
        public static let matchDefault: Int8 = 1
        public static let matchSpecified: Int8 = 2

        /// `user`, `client-id` (or `ip`).
        public var entityType = ""
        /// 0 exact name, 1 default name, 2 any specified name.
        public var matchType: Int8 = 0
        /// The name to match for `matchExact`, else null.
        public var match: String? = nil

        public init() {}
        public init(entityType: String, matchType: Int8, match: String? = nil) {
            self.entityType = entityType
            self.matchType = matchType
            self.match = match
        }

        public static let fields: [Field<Self>] = [
            Field("EntityType", \.entityType, .string, versions: "0+"),
            Field("MatchType", \.matchType, .int8, versions: "0+"),
            Field("Match", \.match, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}

/// The DescribeClientQuotas response; its fields, versions and defaults follow Kafka 3.9's DescribeClientQuotasResponse spec.
public struct DescribeClientQuotasResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var errorMessage: String? = nil
    /// The matching entities with their quotas; null on error.
    public var entries: [Entry]? = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        Field("Entries", \.entries, .nullableArray(Entry.self), versions: "0+", nullable: "0+"),
    ]

    /// One entity and its quotas.
    public struct Entry: KafkaStruct {
        public var entity: [ClientQuotaEntityData] = []
        public var values: [Value] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Entity", \.entity, .array(ClientQuotaEntityData.self), versions: "0+"),
            Field("Values", \.values, .array(Value.self), versions: "0+"),
        ]
    }

    /// One quota of an entity.
    public struct Value: KafkaStruct {
        public var key = ""
        public var value: Double = 0

        public init() {}
        public init(key: String, value: Double) {
            self.key = key
            self.value = value
        }

        public static let fields: [Field<Self>] = [
            Field("Key", \.key, .string, versions: "0+"),
            Field("Value", \.value, .float64, versions: "0+"),
        ]
    }
}

/// One part of a client quota entity (DescribeClientQuotas and AlterClientQuotas share
/// its shape): the entity type and its name, null for the type's default.
public struct ClientQuotaEntityData: KafkaStruct, Equatable {
    /// `user`, `client-id` (or `ip`).
    public var entityType = ""
    public var entityName: String? = nil

    public init() {}
    public init(entityType: String, entityName: String?) {
        self.entityType = entityType
        self.entityName = entityName
    }

    public static let fields: [Field<Self>] = [
        Field("EntityType", \.entityType, .string, versions: "0+"),
        Field("EntityName", \.entityName, .nullableString, versions: "0+", nullable: "0+"),
    ]
}
