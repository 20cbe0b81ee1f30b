// DeleteGroups (key 42), from Kafka 3.9's DeleteGroupsRequest/Response specs.

/// Deletes groups without members, with their committed offsets.
public struct DeleteGroupsRequest: KafkaRequest {
    public typealias Response = DeleteGroupsResponse
    public static let apiKey = ApiKey.deleteGroups
    public static let validVersions: Versions = "0-2"
    public static let flexibleVersions: Versions = "2+"

    /// The groups to delete ("GroupsNames" in the spec).
    public var groupsNames: [String] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("GroupsNames", \.groupsNames, .array(.string), versions: "0+"),
    ]
}

public struct DeleteGroupsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var results: [Result] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("Results", \.results, .array(Result.self), versions: "0+"),
    ]

    public struct Result: KafkaStruct {
        public var groupId = ""
        public var errorCode: Int16 = 0

        public init() {}
        public init(groupId: String, errorCode: Int16) {
            self.groupId = groupId
            self.errorCode = errorCode
        }

        public static let fields: [Field<Self>] = [
            Field("GroupId", \.groupId, .string, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        ]
    }
}
