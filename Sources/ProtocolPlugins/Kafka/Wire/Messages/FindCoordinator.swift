// FindCoordinator (key 10), from Kafka 3.9's FindCoordinatorRequest/Response specs.

public struct FindCoordinatorRequest: KafkaRequest {
    public typealias Response = FindCoordinatorResponse
    public static let apiKey = ApiKey.findCoordinator
    public static let validVersions: Versions = "0-6"
    public static let flexibleVersions: Versions = "3+"

    /// What kind of coordinator a key names (`KeyType`).
    public enum KeyType {
        /// A consumer group id.
        public static let group: Int8 = 0
        /// A transactional id.
        public static let transaction: Int8 = 1
        /// A share group id (v6+, KIP-932).
        public static let share: Int8 = 2
    }

    /// The one key asked about (v0–3).
    public var key = ""
    /// `KeyType.group`, `.transaction` or `.share` (v1+; v0 always asks for a group).
    public var keyType: Int8 = 0
    /// The keys asked about in one batch (v4+, KIP-699).
    public var coordinatorKeys: [String] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Key", \.key, .string, versions: "0-3"),
        Field("KeyType", \.keyType, .int8, versions: "1+"),
        Field("CoordinatorKeys", \.coordinatorKeys, .array(.string), versions: "4+"),
    ]
}

/// One coordinator for every key (v0–3), or one entry per key in `coordinators` (v4+).
public struct FindCoordinatorResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var errorMessage: String?
    public var nodeId: Int32 = 0
    public var host = ""
    public var port: Int32 = 0
    public var coordinators: [Coordinator] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "1+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0-3"),
        Field("ErrorMessage", \.errorMessage, .nullableString, versions: "1-3", nullable: "1-3"),
        Field("NodeId", \.nodeId, .int32, versions: "0-3"),
        Field("Host", \.host, .string, versions: "0-3"),
        Field("Port", \.port, .int32, versions: "0-3"),
        Field("Coordinators", \.coordinators, .array(Coordinator.self), versions: "4+"),
    ]

    public struct Coordinator: KafkaStruct {
        public var key = ""
        public var nodeId: Int32 = 0
        public var host = ""
        public var port: Int32 = 0
        public var errorCode: Int16 = 0
        public var errorMessage: String?

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Key", \.key, .string, versions: "4+"),
            Field("NodeId", \.nodeId, .int32, versions: "4+"),
            Field("Host", \.host, .string, versions: "4+"),
            Field("Port", \.port, .int32, versions: "4+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "4+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "4+", nullable: "4+"),
        ]
    }
}
