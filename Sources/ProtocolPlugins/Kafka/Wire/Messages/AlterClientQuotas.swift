import Foundation

// AlterClientQuotas (key 49), from Kafka 3.9's AlterClientQuotasRequest/Response specs.

/// The AlterClientQuotas request; its fields, versions and defaults follow Kafka 3.9's AlterClientQuotasRequest spec.
public struct AlterClientQuotasRequest: KafkaRequest {
    public typealias Response = AlterClientQuotasResponse
    public static let apiKey = ApiKey.alterClientQuotas
    public static let validVersions: Versions = "0-1"
    public static let flexibleVersions: Versions = "1+"

    public var entries: [Entry] = []
    /// Whether the alterations are only checked, not made.
    public var validateOnly = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Entries", \.entries, .array(Entry.self), versions: "0+"),
        Field("ValidateOnly", \.validateOnly, .bool, versions: "0+"),
    ]

    /// The alterations of one entity.
    public struct Entry: KafkaStruct {
        public var entity: [ClientQuotaEntityData] = []
        public var ops: [Op] = []

        public init() {}
        public init(entity: [ClientQuotaEntityData], ops: [Op]) {
            self.entity = entity
            self.ops = ops
        }

        public static let fields: [Field<Self>] = [
            Field("Entity", \.entity, .array(ClientQuotaEntityData.self), versions: "0+"),
            Field("Ops", \.ops, .array(Op.self), versions: "0+"),
        ]
    }

    /// Sets or removes one quota.
    public struct Op: KafkaStruct {
        /// e.g. `producer_byte_rate`.
        public var key = ""
        /// The value to set (ignored when `remove`).
        public var value: Double = 0
        public var remove = false

        public init() {}
        public init(key: String, value: Double, remove: Bool = false) {
            self.key = key
            self.value = value
            self.remove = remove
        }

        public static let fields: [Field<Self>] = [
            Field("Key", \.key, .string, versions: "0+"),
            Field("Value", \.value, .float64, versions: "0+"),
            Field("Remove", \.remove, .bool, versions: "0+"),
        ]
    }
}

/// The AlterClientQuotas response; its fields, versions and defaults follow Kafka 3.9's AlterClientQuotasResponse spec.
public struct AlterClientQuotasResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var entries: [Entry] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("Entries", \.entries, .array(Entry.self), versions: "0+"),
    ]

    /// The outcome for one entity.
    public struct Entry: KafkaStruct {
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil
        public var entity: [ClientQuotaEntityData] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
            Field("Entity", \.entity, .array(ClientQuotaEntityData.self), versions: "0+"),
        ]
    }
}
