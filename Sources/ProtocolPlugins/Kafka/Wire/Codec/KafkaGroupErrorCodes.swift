/// The error codes of the consumer-group APIs (FindCoordinator, JoinGroup, SyncGroup,
/// Heartbeat, LeaveGroup, OffsetCommit/Fetch/Delete, List/Describe/DeleteGroups).
///
/// Kept apart from the produce/fetch codes in `KafkaErrorCode.swift` so that the group
/// APIs are one self-contained addition; `KafkaErrorCode.name` looks in both tables.
extension KafkaErrorCode {
    /// The offset's metadata string is longer than the broker keeps.
    public static let offsetMetadataTooLarge = KafkaErrorCode(12)
    /// The coordinator is still loading the group's state; retry.
    public static let coordinatorLoadInProgress = KafkaErrorCode(14)
    /// This broker is not the group's coordinator; ask FindCoordinator again.
    public static let notCoordinator = KafkaErrorCode(16)
    /// The member's generation is not the group's current one; rejoin.
    public static let illegalGeneration = KafkaErrorCode(22)
    /// The member's protocol type or assignors do not match the group's.
    public static let inconsistentGroupProtocol = KafkaErrorCode(23)
    /// The group id is empty or otherwise unusable.
    public static let invalidGroupId = KafkaErrorCode(24)
    /// The coordinator does not know the member; rejoin with an empty member id.
    public static let unknownMemberId = KafkaErrorCode(25)
    /// The session timeout is outside the broker's allowed range.
    public static let invalidSessionTimeout = KafkaErrorCode(26)
    /// The group is rebalancing; rejoin.
    public static let rebalanceInProgress = KafkaErrorCode(27)
    /// The committed offset's request was too large.
    public static let invalidCommitOffsetSize = KafkaErrorCode(28)
    public static let groupAuthorizationFailed = KafkaErrorCode(30)
    /// DeleteGroups on a group that still has members.
    public static let nonEmptyGroup = KafkaErrorCode(68)
    /// The group does not exist.
    public static let groupIdNotFound = KafkaErrorCode(69)
    /// A v4+ JoinGroup from a new member: rejoin with the member id in the response.
    public static let memberIdRequired = KafkaErrorCode(79)
    public static let groupMaxSizeReached = KafkaErrorCode(81)
    /// Another process joined with the same `group.instance.id`.
    public static let fencedInstanceId = KafkaErrorCode(82)
    /// OffsetDelete on a partition of a topic the group's members still consume.
    public static let groupSubscribedToTopic = KafkaErrorCode(86)
    /// A transactional commit to the partition is pending (OffsetFetch v7+ with RequireStable).
    public static let unstableOffsetCommit = KafkaErrorCode(88)

    static let groupNames: [Int16: String] = [
        12: "OFFSET_METADATA_TOO_LARGE", 14: "COORDINATOR_LOAD_IN_PROGRESS", 16: "NOT_COORDINATOR",
        22: "ILLEGAL_GENERATION", 23: "INCONSISTENT_GROUP_PROTOCOL", 24: "INVALID_GROUP_ID",
        25: "UNKNOWN_MEMBER_ID", 26: "INVALID_SESSION_TIMEOUT", 27: "REBALANCE_IN_PROGRESS",
        28: "INVALID_COMMIT_OFFSET_SIZE", 30: "GROUP_AUTHORIZATION_FAILED", 68: "NON_EMPTY_GROUP",
        69: "GROUP_ID_NOT_FOUND", 79: "MEMBER_ID_REQUIRED", 81: "GROUP_MAX_SIZE_REACHED",
        82: "FENCED_INSTANCE_ID", 86: "GROUP_SUBSCRIBED_TO_TOPIC", 88: "UNSTABLE_OFFSET_COMMIT",
    ]
}
