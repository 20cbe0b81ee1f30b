import NIOCore

// SyncGroup (key 14), from Kafka 3.9's SyncGroupRequest/Response specs.

/// The second step of a rebalance: the leader sends every member's assignment, the
/// followers send none and wait for theirs.
public struct SyncGroupRequest: KafkaRequest {
    public typealias Response = SyncGroupResponse
    public static let apiKey = ApiKey.syncGroup
    public static let validVersions: Versions = "0-5"
    public static let flexibleVersions: Versions = "4+"

    public var groupId = ""
    public var generationId: Int32 = 0
    public var memberId = ""
    /// `group.instance.id` of a static member (v3+).
    public var groupInstanceId: String?
    /// The protocol type the member joined with (v5+, KIP-559), checked by the broker.
    public var protocolType: String?
    /// The assignor the JoinGroup response chose (v5+), checked by the broker.
    public var protocolName: String?
    /// The leader's assignment for each member; empty from followers.
    public var assignments: [Assignment] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("GroupId", \.groupId, .string, versions: "0+"),
        Field("GenerationId", \.generationId, .int32, versions: "0+"),
        Field("MemberId", \.memberId, .string, versions: "0+"),
        Field("GroupInstanceId", \.groupInstanceId, .nullableString, versions: "3+", nullable: "3+"),
        Field("ProtocolType", \.protocolType, .nullableString, versions: "5+", nullable: "5+"),
        Field("ProtocolName", \.protocolName, .nullableString, versions: "5+", nullable: "5+"),
        Field("Assignments", \.assignments, .array(Assignment.self), versions: "0+"),
    ]

    public struct Assignment: KafkaStruct {
        public var memberId = ""
        /// The assignor's encoding of the member's partitions, opaque to the broker.
        public var assignment = ByteBuffer()

        public init() {}
        public init(memberId: String, assignment: ByteBuffer) {
            self.memberId = memberId
            self.assignment = assignment
        }

        public static let fields: [Field<Self>] = [
            Field("MemberId", \.memberId, .string, versions: "0+"),
            Field("Assignment", \.assignment, .bytes, versions: "0+"),
        ]
    }
}

public struct SyncGroupResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    /// The group's protocol type (v5+).
    public var protocolType: String?
    /// The group's assignor (v5+).
    public var protocolName: String?
    /// This member's assignment, as the leader encoded it.
    public var assignment = ByteBuffer()

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "1+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ProtocolType", \.protocolType, .nullableString, versions: "5+", nullable: "5+"),
        Field("ProtocolName", \.protocolName, .nullableString, versions: "5+", nullable: "5+"),
        Field("Assignment", \.assignment, .bytes, versions: "0+"),
    ]
}
