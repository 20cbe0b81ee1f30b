/// A Kafka API key. A struct rather than an enum so that a request with a key this side
/// does not implement can still be named in logs, and new APIs are one `static let`.
public struct ApiKey: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = ApiKey(rawValue: 0)
    public static let fetch = ApiKey(rawValue: 1)
    public static let listOffsets = ApiKey(rawValue: 2)
    public static let metadata = ApiKey(rawValue: 3)
    public static let controlledShutdown = ApiKey(rawValue: 7)
    public static let offsetCommit = ApiKey(rawValue: 8)
    public static let offsetFetch = ApiKey(rawValue: 9)
    public static let findCoordinator = ApiKey(rawValue: 10)
    public static let joinGroup = ApiKey(rawValue: 11)
    public static let heartbeat = ApiKey(rawValue: 12)
    public static let leaveGroup = ApiKey(rawValue: 13)
    public static let syncGroup = ApiKey(rawValue: 14)
    public static let describeGroups = ApiKey(rawValue: 15)
    public static let listGroups = ApiKey(rawValue: 16)
    public static let saslHandshake = ApiKey(rawValue: 17)
    public static let apiVersions = ApiKey(rawValue: 18)
    public static let createTopics = ApiKey(rawValue: 19)
    public static let deleteTopics = ApiKey(rawValue: 20)
    public static let deleteRecords = ApiKey(rawValue: 21)
    public static let initProducerId = ApiKey(rawValue: 22)
    public static let offsetForLeaderEpoch = ApiKey(rawValue: 23)
    public static let addPartitionsToTxn = ApiKey(rawValue: 24)
    public static let addOffsetsToTxn = ApiKey(rawValue: 25)
    public static let endTxn = ApiKey(rawValue: 26)
    public static let writeTxnMarkers = ApiKey(rawValue: 27)
    public static let txnOffsetCommit = ApiKey(rawValue: 28)
    public static let describeAcls = ApiKey(rawValue: 29)
    public static let createAcls = ApiKey(rawValue: 30)
    public static let deleteAcls = ApiKey(rawValue: 31)
    public static let describeConfigs = ApiKey(rawValue: 32)
    public static let alterConfigs = ApiKey(rawValue: 33)
    public static let describeLogDirs = ApiKey(rawValue: 35)
    public static let saslAuthenticate = ApiKey(rawValue: 36)
    public static let createPartitions = ApiKey(rawValue: 37)
    public static let deleteGroups = ApiKey(rawValue: 42)
    public static let electLeaders = ApiKey(rawValue: 43)
    public static let incrementalAlterConfigs = ApiKey(rawValue: 44)
    public static let alterPartitionReassignments = ApiKey(rawValue: 45)
    public static let listPartitionReassignments = ApiKey(rawValue: 46)
    public static let offsetDelete = ApiKey(rawValue: 47)
    public static let describeClientQuotas = ApiKey(rawValue: 48)
    public static let alterClientQuotas = ApiKey(rawValue: 49)
    public static let describeUserScramCredentials = ApiKey(rawValue: 50)
    public static let alterUserScramCredentials = ApiKey(rawValue: 51)
    public static let describeCluster = ApiKey(rawValue: 60)
    public static let describeProducers = ApiKey(rawValue: 61)
    public static let describeTransactions = ApiKey(rawValue: 65)
    public static let listTransactions = ApiKey(rawValue: 66)

    static let names: [Int16: String] = [
        0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 7: "ControlledShutdown", 8: "OffsetCommit", 9: "OffsetFetch",
        10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
        15: "DescribeGroups", 16: "ListGroups", 17: "SaslHandshake", 18: "ApiVersions", 19: "CreateTopics",
        20: "DeleteTopics", 21: "DeleteRecords", 22: "InitProducerId", 23: "OffsetForLeaderEpoch",
        24: "AddPartitionsToTxn", 25: "AddOffsetsToTxn", 26: "EndTxn", 27: "WriteTxnMarkers", 28: "TxnOffsetCommit", 29: "DescribeAcls", 30: "CreateAcls", 31: "DeleteAcls", 32: "DescribeConfigs", 33: "AlterConfigs",
        35: "DescribeLogDirs", 36: "SaslAuthenticate", 37: "CreatePartitions", 42: "DeleteGroups", 43: "ElectLeaders", 44: "IncrementalAlterConfigs", 45: "AlterPartitionReassignments",
        46: "ListPartitionReassignments", 47: "OffsetDelete", 48: "DescribeClientQuotas", 49: "AlterClientQuotas",
        50: "DescribeUserScramCredentials", 51: "AlterUserScramCredentials", 60: "DescribeCluster",
        61: "DescribeProducers", 65: "DescribeTransactions", 66: "ListTransactions",
    ]

    /// The API's name as Kafka spells it, e.g. "Metadata", or "ApiKey(99)".
    public var name: String { Self.names[rawValue] ?? "ApiKey(\(rawValue))" }
    public var description: String { name }

    public static func < (lhs: ApiKey, rhs: ApiKey) -> Bool { lhs.rawValue < rhs.rawValue }
}
