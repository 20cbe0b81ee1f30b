import Foundation

/// One classic consumer group's membership and rebalance state. Owned by the
/// `GroupCoordinator` actor; the waiting JoinGroup/SyncGroup calls are continuations
/// resumed when the rebalance step they wait for completes.
struct ConsumerGroup {
    struct Member {
        var memberId: String
        var groupInstanceId: String?
        var clientId: String
        var clientHost: String
        var sessionTimeout: Duration
        var rebalanceTimeout: Duration
        var protocolType: String
        var protocols: [(name: String, metadata: [UInt8])]
        var assignment: [UInt8] = []
        var lastSeen: ContinuousClock.Instant
        var pendingJoin: CheckedContinuation<JoinGroupResponse, Never>?
        var pendingSync: CheckedContinuation<SyncGroupResponse, Never>?

        func metadata(for protocolName: String) -> [UInt8] {
            protocols.first { $0.name == protocolName }?.metadata ?? []
        }
    }

    let id: String
    var state: GroupState = .empty
    var generation: Int32 = 0
    var protocolType: String?
    var protocolName: String?
    var leaderId: String?
    /// Members in join order (the first is the default leader).
    var members: [String: Member] = [:]
    var joinOrder: [String] = []
    /// Member ids handed out with MEMBER_ID_REQUIRED, awaiting their rejoin.
    var pendingMemberIds: [String: ContinuousClock.Instant] = [:]
    /// `group.instance.id` → current member id (static membership).
    var staticMembers: [String: String] = [:]
    var rebalanceDeadline: ContinuousClock.Instant?
    /// A new group waits this long for more members before its first rebalance completes.
    var initialDelayDeadline: ContinuousClock.Instant?

    init(id: String, generation: Int32 = 0, protocolType: String? = nil) {
        self.id = id
        self.generation = generation
        self.protocolType = protocolType
    }

    var orderedMembers: [Member] { joinOrder.compactMap { members[$0] } }

    mutating func add(_ member: Member) {
        if members[member.memberId] == nil { joinOrder.append(member.memberId) }
        members[member.memberId] = member
        if let instance = member.groupInstanceId { staticMembers[instance] = member.memberId }
        if protocolType == nil || state == .empty { protocolType = member.protocolType }
    }

    /// Removes a member, answering its waiting calls with `error`.
    mutating func remove(_ memberId: String, answering error: GroupError) {
        guard let member = members.removeValue(forKey: memberId) else { return }
        joinOrder.removeAll { $0 == memberId }
        if let instance = member.groupInstanceId, staticMembers[instance] == memberId { staticMembers.removeValue(forKey: instance) }
        member.pendingJoin?.resume(returning: .failure(error, memberId: memberId))
        member.pendingSync?.resume(returning: SyncGroupResponse(error: error, assignment: []))
        if leaderId == memberId { leaderId = nil }
    }

    /// Moves a static member to a new member id (a restart with the same
    /// `group.instance.id`): it keeps its place, its assignment and leadership, and a
    /// Join or Sync the old id is still waiting on is answered FENCED_INSTANCE_ID.
    mutating func replaceStaticMember(_ instance: String, oldMemberId: String, newMemberId: String) {
        guard var member = members.removeValue(forKey: oldMemberId) else { return }
        member.pendingJoin?.resume(returning: .failure(.fencedInstanceId, memberId: oldMemberId))
        member.pendingSync?.resume(returning: SyncGroupResponse(error: .fencedInstanceId, assignment: []))
        member.pendingJoin = nil
        member.pendingSync = nil
        member.memberId = newMemberId
        members[newMemberId] = member
        joinOrder = joinOrder.map { $0 == oldMemberId ? newMemberId : $0 }
        staticMembers[instance] = newMemberId
        if leaderId == oldMemberId { leaderId = newMemberId }
    }

    /// Kafka's check on every call from a static member: its instance id now belongs to
    /// another member id, so this one was replaced by a newer process.
    func isFenced(instance: String?, memberId: String) -> Bool {
        guard let instance, let current = staticMembers[instance] else { return false }
        return current != memberId
    }

    /// Whether a joining member's protocols fit the group's.
    func accepts(protocolType: String, protocols: [(name: String, metadata: [UInt8])]) -> Bool {
        guard !protocols.isEmpty else { return false }
        if members.isEmpty { return true }
        guard protocolType == self.protocolType else { return false }
        let offered = Set(protocols.map(\.name))
        return !candidateProtocols().isDisjoint(with: offered)
    }

    func candidateProtocols() -> Set<String> {
        var common: Set<String>?
        for member in members.values {
            let names = Set(member.protocols.map(\.name))
            common = common.map { $0.intersection(names) } ?? names
        }
        return common ?? []
    }

    /// Each member votes for its most preferred protocol among those all support.
    func selectProtocol() -> String? {
        let candidates = candidateProtocols()
        var votes: [String: Int] = [:]
        for member in orderedMembers {
            if let choice = member.protocols.first(where: { candidates.contains($0.name) })?.name { votes[choice, default: 0] += 1 }
        }
        let first = orderedMembers.first?.protocols.map(\.name) ?? []
        return votes.max { a, b in a.value != b.value ? a.value < b.value : (first.firstIndex(of: a.key) ?? .max) > (first.firstIndex(of: b.key) ?? .max) }?.key
    }

    var allMembersJoined: Bool {
        pendingMemberIds.isEmpty && members.values.allSatisfy { $0.pendingJoin != nil }
    }

    func joinResponse(for memberId: String) -> JoinGroupResponse {
        let protocolName = self.protocolName ?? ""
        var response = JoinGroupResponse(error: nil, generationId: generation, protocolType: protocolType, protocolName: self.protocolName,
                                         leader: leaderId ?? "", memberId: memberId)
        if memberId == leaderId {
            response.members = orderedMembers.map {
                .init(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, metadata: $0.metadata(for: protocolName))
            }
        }
        return response
    }
}
