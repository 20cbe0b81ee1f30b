// Heartbeat (key 12), from Kafka 3.9's HeartbeatRequest/Response specs.

/// Keeps a member's session alive; REBALANCE_IN_PROGRESS in the answer tells it to rejoin.
public struct HeartbeatRequest: KafkaRequest {
    public typealias Response = HeartbeatResponse
    public static let apiKey = ApiKey.heartbeat
    public static let validVersions: Versions = "0-4"
    public static let flexibleVersions: Versions = "4+"

    public var groupId = ""
    public var generationId: Int32 = 0
    public var memberId = ""
    /// `group.instance.id` of a static member (v3+).
    public var groupInstanceId: String?

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("GroupId", \.groupId, .string, versions: "0+"),
        Field("GenerationId", \.generationId, .int32, versions: "0+"),
        Field("MemberId", \.memberId, .string, versions: "0+"),
        Field("GroupInstanceId", \.groupInstanceId, .nullableString, versions: "3+", nullable: "3+"),
    ]
}

public struct HeartbeatResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "1+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
    ]
}
