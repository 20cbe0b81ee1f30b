// ListGroups (key 16), from Kafka 3.9's ListGroupsRequest/Response specs.

/// Every group the coordinator knows, optionally filtered by state (v4+) or type (v5+).
public struct ListGroupsRequest: KafkaRequest {
    public typealias Response = ListGroupsResponse
    public static let apiKey = ApiKey.listGroups
    public static let validVersions: Versions = "0-5"
    public static let flexibleVersions: Versions = "3+"

    /// Only groups in these states, e.g. "Stable", "Empty" (v4+); empty means all.
    public var statesFilter: [String] = []
    /// Only groups of these types, e.g. "classic", "consumer" (v5+); empty means all.
    public var typesFilter: [String] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("StatesFilter", \.statesFilter, .array(.string), versions: "4+"),
        Field("TypesFilter", \.typesFilter, .array(.string), versions: "5+"),
    ]
}

public struct ListGroupsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var groups: [Group] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "1+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("Groups", \.groups, .array(Group.self), versions: "0+"),
    ]

    public struct Group: KafkaStruct {
        public var groupId = ""
        /// "consumer" for consumer groups; empty for a group that only has offsets.
        public var protocolType = ""
        /// The group's state, e.g. "Stable" (v4+).
        public var groupState = ""
        /// "classic" for groups of the JoinGroup/SyncGroup protocol (v5+).
        public var groupType = ""

        public init() {}
        public init(groupId: String, protocolType: String, groupState: String, groupType: String) {
            self.groupId = groupId
            self.protocolType = protocolType
            self.groupState = groupState
            self.groupType = groupType
        }

        public static let fields: [Field<Self>] = [
            Field("GroupId", \.groupId, .string, versions: "0+"),
            Field("ProtocolType", \.protocolType, .string, versions: "0+"),
            Field("GroupState", \.groupState, .string, versions: "4+"),
            Field("GroupType", \.groupType, .string, versions: "5+"),
        ]
    }
}
