import Foundation

/// Why the coordinator refused a group request. Protocol plugins map these to wire
/// error codes (Kafka: UNKNOWN_MEMBER_ID 25, ILLEGAL_GENERATION 22, …).
public enum GroupError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidGroupId
    case unknownMemberId
    case illegalGeneration
    case rebalanceInProgress
    /// A v4+ JoinGroup from a new member: rejoin with the member id handed back.
    case memberIdRequired
    case inconsistentGroupProtocol
    case invalidSessionTimeout
    case groupIdNotFound
    case nonEmptyGroup
    /// OffsetDelete on a group whose members still consume the topic.
    case groupSubscribedToTopic
    /// Another process joined with the same `group.instance.id`.
    case fencedInstanceId
    case coordinatorNotAvailable
    /// In a cluster, another broker coordinates this group (FindCoordinator names it).
    case notCoordinator
    case unknownTopicOrPartition
    /// The offset store failed; nothing was committed.
    case storage(String)

    public var description: String {
        switch self {
        case .invalidGroupId: "the group id is empty or invalid"
        case .unknownMemberId: "unknown member id; rejoin the group"
        case .illegalGeneration: "the generation is not the group's current one; rejoin the group"
        case .rebalanceInProgress: "the group is rebalancing; rejoin"
        case .memberIdRequired: "rejoin with the member id returned"
        case .inconsistentGroupProtocol: "the member's protocol type or protocols do not match the group's"
        case .invalidSessionTimeout: "the session timeout is outside the broker's allowed range"
        case .groupIdNotFound: "no such group"
        case .nonEmptyGroup: "the group still has members"
        case .groupSubscribedToTopic: "the group has active members; stop them before deleting its offsets"
        case .fencedInstanceId: "another member joined with the same group.instance.id"
        case .coordinatorNotAvailable: "the group coordinator is not available"
        case .notCoordinator: "this broker does not coordinate the group; ask FindCoordinator again"
        case .unknownTopicOrPartition: "unknown topic or partition"
        case .storage(let why): "committing offsets failed: \(why)"
        }
    }
}

/// The states of a classic consumer group (Kafka's GroupMetadata states).
public enum GroupState: String, Sendable, CaseIterable {
    case empty = "Empty"
    case preparingRebalance = "PreparingRebalance"
    case completingRebalance = "CompletingRebalance"
    case stable = "Stable"
    case dead = "Dead"
}

/// A JoinGroup request, protocol-neutral.
public struct JoinGroupRequest: Sendable {
    public var groupId: String
    /// Empty for a member joining for the first time.
    public var memberId: String
    public var groupInstanceId: String?
    public var clientId: String
    public var clientHost: String
    /// Milliseconds without a heartbeat before the member is removed.
    public var sessionTimeoutMs: Int32
    /// Milliseconds the coordinator waits for members to rejoin during a rebalance.
    public var rebalanceTimeoutMs: Int32
    public var protocolType: String
    /// Supported assignment protocols in preference order, each with opaque metadata.
    public var protocols: [(name: String, metadata: [UInt8])]
    /// v4+: a new member first gets MEMBER_ID_REQUIRED and its id, then rejoins.
    public var requireKnownMemberId: Bool

    public init(groupId: String, memberId: String, groupInstanceId: String? = nil, clientId: String, clientHost: String,
                sessionTimeoutMs: Int32, rebalanceTimeoutMs: Int32, protocolType: String,
                protocols: [(name: String, metadata: [UInt8])], requireKnownMemberId: Bool) {
        self.groupId = groupId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.clientId = clientId
        self.clientHost = clientHost
        self.sessionTimeoutMs = sessionTimeoutMs
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.protocolType = protocolType
        self.protocols = protocols
        self.requireKnownMemberId = requireKnownMemberId
    }
}

public struct JoinGroupResponse: Sendable {
    public struct Member: Sendable, Equatable {
        public var memberId: String
        public var groupInstanceId: String?
        public var metadata: [UInt8]
    }
    public var error: GroupError?
    public var generationId: Int32 = -1
    public var protocolType: String?
    public var protocolName: String?
    public var leader: String = ""
    public var memberId: String = ""
    /// Every member with its metadata for the chosen protocol; only the leader gets them.
    public var members: [Member] = []

    static func failure(_ error: GroupError, memberId: String = "") -> JoinGroupResponse {
        JoinGroupResponse(error: error, memberId: memberId)
    }
}

public struct SyncGroupResponse: Sendable {
    public var error: GroupError?
    public var protocolType: String?
    public var protocolName: String?
    /// This member's assignment, opaque bytes from the leader.
    public var assignment: [UInt8]
}

/// A group as DescribeGroups and the CLI show it.
public struct GroupDescription: Sendable {
    public struct Member: Sendable {
        public var memberId: String
        public var groupInstanceId: String?
        public var clientId: String
        public var clientHost: String
        public var metadata: [UInt8]
        public var assignment: [UInt8]
    }
    public var groupId: String
    public var state: GroupState
    public var protocolType: String
    public var protocolName: String
    public var generationId: Int32
    public var members: [Member]
}

/// Coordinator settings (broker-level, Kafka's names in comments).
public struct GroupCoordinatorConfig: Sendable {
    /// group.min.session.timeout.ms. Default 6000.
    public var minSessionTimeoutMs: Int32 = 6_000
    /// group.max.session.timeout.ms. Default 1800000.
    public var maxSessionTimeoutMs: Int32 = 1_800_000
    /// group.initial.rebalance.delay.ms: how long a new group waits for more members
    /// before its first rebalance completes. Default 3000.
    public var initialRebalanceDelayMs: Int64 = 3_000
    /// offsets.retention.minutes for groups without members. Default 10080.
    public var offsetsRetentionMinutes: Int64 = 10_080
    /// How often sessions and timeouts are checked, in milliseconds. Default 100.
    public var tickIntervalMs: Int64 = 100

    public init() {}
}
