// LeaveGroup (key 13), from Kafka 3.9's LeaveGroupRequest/Response specs.

/// One member leaving (v0–2), or a batch of members by member id and/or
/// `group.instance.id` (v3+, KIP-345).
public struct LeaveGroupRequest: KafkaRequest {
    public typealias Response = LeaveGroupResponse
    public static let apiKey = ApiKey.leaveGroup
    public static let validVersions: Versions = "0-5"
    public static let flexibleVersions: Versions = "4+"

    public var groupId = ""
    /// The member leaving (v0–2).
    public var memberId = ""
    /// The members leaving (v3+).
    public var members: [Member] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("GroupId", \.groupId, .string, versions: "0+"),
        Field("MemberId", \.memberId, .string, versions: "0-2"),
        Field("Members", \.members, .array(Member.self), versions: "3+"),
    ]

    public struct Member: KafkaStruct {
        /// Empty when a static member is named by its instance id only.
        public var memberId = ""
        public var groupInstanceId: String?
        /// Why the member leaves (v5+, KIP-800), for the broker's log.
        public var reason: String?

        public init() {}
        public init(memberId: String, groupInstanceId: String? = nil) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
        }

        public static let fields: [Field<Self>] = [
            Field("MemberId", \.memberId, .string, versions: "3+"),
            Field("GroupInstanceId", \.groupInstanceId, .nullableString, versions: "3+", nullable: "3+"),
            Field("Reason", \.reason, .nullableString, versions: "5+", nullable: "5+"),
        ]
    }
}

public struct LeaveGroupResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    /// The group-level error (v0–2: the only error).
    public var errorCode: Int16 = 0
    /// Each member's outcome (v3+).
    public var members: [Member] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "1+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("Members", \.members, .array(Member.self), versions: "3+"),
    ]

    public struct Member: KafkaStruct {
        public var memberId = ""
        public var groupInstanceId: String?
        public var errorCode: Int16 = 0

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("MemberId", \.memberId, .string, versions: "3+"),
            Field("GroupInstanceId", \.groupInstanceId, .nullableString, versions: "3+", nullable: "3+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "3+"),
        ]
    }
}
