/// Consumer-group coordination as the Kafka plugin drives it: membership, rebalances,
/// committed offsets, and the admin APIs. `GroupCoordinator` implements it.
public protocol GroupService: Sendable {
    /// Whether this broker coordinates `groupId` (always on a single node).
    func coordinates(_ groupId: String) async -> Bool
    /// JoinGroup: returns when the rebalance this member takes part in completes.
    func join(_ request: JoinGroupRequest) async -> JoinGroupResponse
    /// SyncGroup: the leader hands in every member's assignment; followers wait for it.
    func sync(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String?,
              protocolType: String?, protocolName: String?, assignments: [String: [UInt8]]) async -> SyncGroupResponse
    /// Heartbeat: nil while the member is in the current generation.
    func heartbeat(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String?) async -> GroupError?
    /// LeaveGroup: one result per member, in order.
    func leave(groupId: String, members: [(memberId: String, groupInstanceId: String?)]) async -> [GroupError?]
    /// OffsetCommit: stores the offsets durably before returning.
    func commitOffsets(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String?,
                       offsets: [TopicPartition: CommittedOffset]) async -> GroupError?
    /// OffsetFetch: committed offsets of `partitions` (nil: all).
    func fetchOffsets(groupId: String, partitions: [TopicPartition]?) async throws -> [TopicPartition: CommittedOffset]
    /// TxnOffsetCommit: stages offsets of a transaction durably until it commits or aborts.
    func commitTransactionalOffsets(groupId: String, producerId: Int64, generationId: Int32, memberId: String,
                                    groupInstanceId: String?, offsets: [TopicPartition: CommittedOffset]) async -> GroupError?
    /// Partitions with offsets staged by an open transaction (OffsetFetch require_stable).
    func unstableOffsets(groupId: String) async throws -> Set<TopicPartition>
    /// OffsetDelete: refused while the group has members.
    func deleteOffsets(groupId: String, partitions: [TopicPartition]) async -> GroupError?
    /// ListGroups: every group with members or committed offsets.
    func listGroups() async -> [(groupId: String, protocolType: String, state: GroupState)]
    /// DescribeGroups: state, protocol and members of one group.
    func describe(groupId: String) async -> GroupDescription
    /// DeleteGroups: refused while the group has members.
    func deleteGroup(_ groupId: String) async -> GroupError?
}

extension GroupCoordinator: GroupService {}
