import Foundation
import Logging

/// Consumer-group coordination (Kafka's classic group protocol): membership,
/// generations, join and sync barriers, rebalance and session timeouts, leader election,
/// static membership, leave and delete. The leader's assignment bytes are opaque here:
/// clients assign partitions, so queue semantics (members of a group share partitions)
/// and broadcast (each group sees every record) both fall out of it.
///
/// Committed offsets go through the `MetadataStore`, durable before a commit returns.
public actor GroupCoordinator {
    let metadata: any MetadataStore
    let config: GroupCoordinatorConfig
    let logger: Logger
    /// The cluster view that says which broker coordinates a group; nil on a single node.
    nonisolated let clusterView: ClusterView?
    var groups: [String: ConsumerGroup] = [:]
    private var ticker: Task<Void, Never>?
    var lastOffsetExpiry = ContinuousClock.now
    /// The last group-state write; each write waits for the one before, so the store
    /// never ends up with an older state than the coordinator last saved.
    var lastStateSave: Task<Void, Never>?
    /// Where group records go (`__consumer_offsets`); nil when nothing is attached.
    var offsetsLog: OffsetsLogWriter?
    /// The commit of each group still being stored and logged; the next waits for it.
    var commitChains: [String: Task<GroupError?, Never>] = [:]

    public init(metadata: any MetadataStore, config: GroupCoordinatorConfig = GroupCoordinatorConfig(), logger: Logger,
                clusterView: ClusterView? = nil) {
        self.clusterView = clusterView
        self.metadata = metadata
        self.config = config
        self.logger = logger
    }

    /// Starts the timer that expires sessions, completes rebalances and expires offsets.
    public func start() {
        guard ticker == nil else { return }
        let interval = Duration.milliseconds(config.tickIntervalMs)
        ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.tick(now: .now)
            }
        }
    }

    /// Stops the timer and answers every waiting call with COORDINATOR_NOT_AVAILABLE.
    public func shutdown() {
        ticker?.cancel()
        ticker = nil
        for id in groups.keys {
            for memberId in groups[id]!.members.keys { groups[id]!.remove(memberId, answering: .coordinatorNotAvailable) }
        }
        groups.removeAll()
    }

    /// Whether this broker coordinates `groupId` (always on a single node).
    public func coordinates(_ groupId: String) async -> Bool {
        guard let clusterView else { return true }
        return await clusterView.groupCoordinator(for: groupId)?.id == clusterView.localBroker
    }

    // MARK: Join

    /// JoinGroup: returns when the rebalance this member takes part in completes (or at
    /// once with MEMBER_ID_REQUIRED / an error).
    public func join(_ request: JoinGroupRequest) async -> JoinGroupResponse {
        guard !request.groupId.isEmpty else { return .failure(.invalidGroupId) }
        if await !coordinates(request.groupId) { return .failure(.notCoordinator) }
        guard (config.minSessionTimeoutMs...config.maxSessionTimeoutMs).contains(request.sessionTimeoutMs) else {
            return .failure(.invalidSessionTimeout, memberId: request.memberId)
        }
        await loadGroup(request.groupId)
        var group = groups[request.groupId]!
        guard group.accepts(protocolType: request.protocolType, protocols: request.protocols) else {
            return .failure(.inconsistentGroupProtocol, memberId: request.memberId)
        }
        let now = ContinuousClock.now
        var memberId = request.memberId

        if memberId.isEmpty {
            memberId = "\(request.groupInstanceId ?? request.clientId)-\(UUID().uuidString.lowercased())"
            if let instance = request.groupInstanceId, let old = group.staticMembers[instance], group.members[old] != nil {
                return await rejoinStaticMember(request, group: group, instance: instance, oldMemberId: old, newMemberId: memberId)
            }
            // Static members skip MEMBER_ID_REQUIRED: their instance id already names them.
            if request.requireKnownMemberId && request.groupInstanceId == nil {
                group.pendingMemberIds[memberId] = now
                groups[request.groupId] = group
                return .failure(.memberIdRequired, memberId: memberId)
            }
        } else if group.isFenced(instance: request.groupInstanceId, memberId: memberId) {
            return .failure(.fencedInstanceId, memberId: memberId)
        } else if group.pendingMemberIds.removeValue(forKey: memberId) == nil {
            let instanceUnknown = request.groupInstanceId.map { group.staticMembers[$0] == nil } ?? false
            // A static member the coordinator knows only from the stored state (it was
            // reloaded) comes back under the member id the store says is its own.
            let reloaded = request.groupInstanceId.map { group.staticMembers[$0] == memberId } ?? false
            guard group.members[memberId] != nil || reloaded, !instanceUnknown else { return .failure(.unknownMemberId, memberId: memberId) }
        }

        let existing = group.members[memberId]
        let unchanged = existing.map { old in
            old.protocols.map(\.name) == request.protocols.map(\.name) && old.protocols.map(\.metadata) == request.protocols.map(\.metadata)
        } ?? false
        var member = existing ?? ConsumerGroup.Member(
            memberId: memberId, groupInstanceId: request.groupInstanceId, clientId: request.clientId, clientHost: request.clientHost,
            sessionTimeout: .milliseconds(request.sessionTimeoutMs), rebalanceTimeout: .milliseconds(request.rebalanceTimeoutMs),
            protocolType: request.protocolType, protocols: request.protocols, lastSeen: now)
        member.protocols = request.protocols
        member.sessionTimeout = .milliseconds(request.sessionTimeoutMs)
        member.rebalanceTimeout = .milliseconds(request.rebalanceTimeoutMs)
        member.lastSeen = now

        // A rejoin that changes nothing while the group is settled gets the current
        // generation back instead of forcing everyone through another rebalance.
        if unchanged && (group.state == .completingRebalance || (group.state == .stable && memberId != group.leaderId)) {
            group.members[memberId] = member
            groups[request.groupId] = group
            return group.joinResponse(for: memberId)
        }

        group.add(member)
        if group.state != .preparingRebalance { prepareRebalance(&group, reason: "member \(memberId) joined") }
        groups[request.groupId] = group
        return await awaitJoin(request.groupId, memberId: memberId)
    }

    /// Parks a member's JoinGroup until the join phase of the current rebalance completes.
    func awaitJoin(_ groupId: String, memberId: String) async -> JoinGroupResponse {
        await withCheckedContinuation { continuation in
            groups[groupId]!.members[memberId]!.pendingJoin = continuation
            completeJoinIfReady(groupId, now: .now)
        }
    }

    func prepareRebalance(_ group: inout ConsumerGroup, reason: String) {
        let now = ContinuousClock.now
        if group.state == .completingRebalance {
            for id in group.members.keys {
                group.members[id]!.pendingSync?.resume(returning: SyncGroupResponse(error: .rebalanceInProgress, assignment: []))
                group.members[id]!.pendingSync = nil
            }
        }
        let timeout = group.members.values.map(\.rebalanceTimeout).max() ?? .seconds(60)
        if group.state == .empty {
            let delay = min(Duration.milliseconds(config.initialRebalanceDelayMs), timeout)
            group.initialDelayDeadline = now + delay
        }
        group.state = .preparingRebalance
        group.rebalanceDeadline = now + timeout
        logger.debug("preparing rebalance", metadata: ["group": "\(group.id)", "reason": "\(reason)"])
    }

    /// Completes the join phase when every member has rejoined (after the initial delay
    /// of a new group) or the rebalance timeout has passed.
    func completeJoinIfReady(_ groupId: String, now: ContinuousClock.Instant) {
        guard var group = groups[groupId], group.state == .preparingRebalance else { return }
        if let delay = group.initialDelayDeadline, now < delay { return }
        let timedOut = group.rebalanceDeadline.map { now >= $0 } ?? true
        guard group.allMembersJoined || timedOut else { return }
        for member in group.members.values where member.pendingJoin == nil {
            group.remove(member.memberId, answering: .unknownMemberId)
        }
        group.pendingMemberIds.removeAll()
        group.initialDelayDeadline = nil
        group.rebalanceDeadline = nil
        group.generation += 1
        if group.members.isEmpty {
            group.state = .empty
            group.protocolName = nil
            group.leaderId = nil
        } else {
            group.protocolName = group.selectProtocol()
            if group.leaderId.map({ group.members[$0] == nil }) ?? true { group.leaderId = group.joinOrder.first }
            group.state = .completingRebalance
            for id in group.members.keys {
                let response = group.joinResponse(for: id)
                group.members[id]!.pendingJoin?.resume(returning: response)
                group.members[id]!.pendingJoin = nil
                group.members[id]!.lastSeen = now
            }
        }
        groups[groupId] = group
        logger.info("rebalance completed", metadata: [
            "group": "\(groupId)", "generation": "\(group.generation)", "members": "\(group.members.count)",
            "protocol": "\(group.protocolName ?? "-")",
        ])
        persistState(of: group)
    }

    /// Brings a group the coordinator has not seen since start-up into memory, continuing
    /// its stored generation.
    func loadGroup(_ groupId: String) async {
        guard groups[groupId] == nil else { return }
        let stored = try? await metadata.groupState(groupId)
        if groups[groupId] == nil {
            var group = ConsumerGroup(id: groupId, generation: stored?.generation ?? 0, protocolType: stored?.protocolType)
            group.staticMembers = stored?.staticMembers ?? [:]
            groups[groupId] = group
        }
    }
}
