import NIOCore

// JoinGroup (key 11), from Kafka 3.9's JoinGroupRequest/Response specs.

public struct JoinGroupRequest: KafkaRequest {
    public typealias Response = JoinGroupResponse
    public static let apiKey = ApiKey.joinGroup
    public static let validVersions: Versions = "0-9"
    public static let flexibleVersions: Versions = "6+"

    public var groupId = ""
    /// Milliseconds without a heartbeat after which the coordinator removes the member.
    public var sessionTimeoutMs: Int32 = 0
    /// Milliseconds the coordinator waits for every member to rejoin (v1+); -1 in v0,
    /// where the session timeout stands in for it.
    public var rebalanceTimeoutMs: Int32 = -1
    /// Empty for a member joining for the first time.
    public var memberId = ""
    /// `group.instance.id` of a static member (v5+).
    public var groupInstanceId: String?
    /// "consumer" for consumers; Kafka Connect uses "connect".
    public var protocolType = ""
    /// The assignors the member supports, in preference order.
    public var protocols: [GroupProtocol] = []
    /// Why the member (re)joins (v8+, KIP-800), for the broker's log.
    public var reason: String?

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("GroupId", \.groupId, .string, versions: "0+"),
        Field("SessionTimeoutMs", \.sessionTimeoutMs, .int32, versions: "0+"),
        Field("RebalanceTimeoutMs", \.rebalanceTimeoutMs, .int32, versions: "1+"),
        Field("MemberId", \.memberId, .string, versions: "0+"),
        Field("GroupInstanceId", \.groupInstanceId, .nullableString, versions: "5+", nullable: "5+"),
        Field("ProtocolType", \.protocolType, .string, versions: "0+"),
        Field("Protocols", \.protocols, .array(GroupProtocol.self), versions: "0+"),
        Field("Reason", \.reason, .nullableString, versions: "8+", nullable: "8+"),
    ]

    public struct GroupProtocol: KafkaStruct {
        /// The assignor's name, e.g. "range", "roundrobin", "cooperative-sticky".
        public var name = ""
        /// The assignor's subscription metadata, opaque to the broker.
        public var metadata = ByteBuffer()

        public init() {}
        public init(name: String, metadata: ByteBuffer) {
            self.name = name
            self.metadata = metadata
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Metadata", \.metadata, .bytes, versions: "0+"),
        ]
    }
}

public struct JoinGroupResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var generationId: Int32 = -1
    /// The group's protocol type (v7+, KIP-559).
    public var protocolType: String?
    /// The assignor chosen; null (v7+) when the join failed.
    public var protocolName: String?
    public var leader = ""
    /// Tells the leader not to compute an assignment (v9+); always false here.
    public var skipAssignment = false
    /// The member id assigned to this member (also sent with MEMBER_ID_REQUIRED).
    public var memberId = ""
    /// Every member with its subscription; only the leader gets them.
    public var members: [Member] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "2+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("GenerationId", \.generationId, .int32, versions: "0+"),
        Field("ProtocolType", \.protocolType, .nullableString, versions: "7+", nullable: "7+"),
        Field("ProtocolName", \.protocolName, .nullableString, versions: "0+", nullable: "7+"),
        Field("Leader", \.leader, .string, versions: "0+"),
        Field("SkipAssignment", \.skipAssignment, .bool, versions: "9+"),
        Field("MemberId", \.memberId, .string, versions: "0+"),
        Field("Members", \.members, .array(Member.self), versions: "0+"),
    ]

    public struct Member: KafkaStruct {
        public var memberId = ""
        public var groupInstanceId: String?
        public var metadata = ByteBuffer()

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("MemberId", \.memberId, .string, versions: "0+"),
            Field("GroupInstanceId", \.groupInstanceId, .nullableString, versions: "5+", nullable: "5+"),
            Field("Metadata", \.metadata, .bytes, versions: "0+"),
        ]
    }
}
