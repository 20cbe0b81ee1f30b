import NIOCore

// DescribeGroups (key 15), from Kafka 3.9's DescribeGroupsRequest/Response specs.

public struct DescribeGroupsRequest: KafkaRequest {
    public typealias Response = DescribeGroupsResponse
    public static let apiKey = ApiKey.describeGroups
    public static let validVersions: Versions = "0-5"
    public static let flexibleVersions: Versions = "5+"

    public var groups: [String] = []
    /// Ask for each group's authorized operations (v3+); without ACLs the answer is "unknown".
    public var includeAuthorizedOperations = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Groups", \.groups, .array(.string), versions: "0+"),
        Field("IncludeAuthorizedOperations", \.includeAuthorizedOperations, .bool, versions: "3+"),
    ]
}

public struct DescribeGroupsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var groups: [Group] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "1+"),
        Field("Groups", \.groups, .array(Group.self), versions: "0+"),
    ]

    public struct Group: KafkaStruct {
        public var errorCode: Int16 = 0
        public var groupId = ""
        /// "Empty", "PreparingRebalance", "CompletingRebalance", "Stable" or "Dead".
        public var groupState = ""
        public var protocolType = ""
        /// The chosen assignor (filled in while the group is stable).
        public var protocolData = ""
        public var members: [Member] = []
        /// A bit field of ACL operations; `Int32.min` means "not asked for".
        public var authorizedOperations: Int32 = .min

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("GroupId", \.groupId, .string, versions: "0+"),
            Field("GroupState", \.groupState, .string, versions: "0+"),
            Field("ProtocolType", \.protocolType, .string, versions: "0+"),
            Field("ProtocolData", \.protocolData, .string, versions: "0+"),
            Field("Members", \.members, .array(Member.self), versions: "0+"),
            Field("AuthorizedOperations", \.authorizedOperations, .int32, versions: "3+"),
        ]
    }

    public struct Member: KafkaStruct {
        public var memberId = ""
        /// `group.instance.id` of a static member (v4+).
        public var groupInstanceId: String?
        public var clientId = ""
        public var clientHost = ""
        /// The member's subscription for the chosen assignor.
        public var memberMetadata = ByteBuffer()
        /// The member's current assignment.
        public var memberAssignment = ByteBuffer()

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("MemberId", \.memberId, .string, versions: "0+"),
            Field("GroupInstanceId", \.groupInstanceId, .nullableString, versions: "4+", nullable: "4+"),
            Field("ClientId", \.clientId, .string, versions: "0+"),
            Field("ClientHost", \.clientHost, .string, versions: "0+"),
            Field("MemberMetadata", \.memberMetadata, .bytes, versions: "0+"),
            Field("MemberAssignment", \.memberAssignment, .bytes, versions: "0+"),
        ]
    }
}
