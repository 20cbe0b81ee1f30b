import Foundation

extension GroupCoordinator {
    // MARK: Sync, heartbeat, leave

    /// SyncGroup: the leader hands in every member's assignment; followers wait for it.
    public func sync(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String?,
                     protocolType: String?, protocolName: String?, assignments: [String: [UInt8]]) async -> SyncGroupResponse {
        if await !coordinates(groupId) { return SyncGroupResponse(error: .notCoordinator, assignment: []) }
        if let error = await memberError(groupId, memberId: memberId, instance: groupInstanceId) { return SyncGroupResponse(error: error, assignment: []) }
        guard var group = groups[groupId], let member = group.members[memberId] else { return SyncGroupResponse(error: .unknownMemberId, assignment: []) }
        guard generationId == group.generation else { return SyncGroupResponse(error: .illegalGeneration, assignment: []) }
        if let protocolType, protocolType != group.protocolType { return SyncGroupResponse(error: .inconsistentGroupProtocol, assignment: []) }
        if let protocolName, protocolName != group.protocolName { return SyncGroupResponse(error: .inconsistentGroupProtocol, assignment: []) }
        group.members[memberId]!.lastSeen = .now
        switch group.state {
        case .preparingRebalance:
            groups[groupId] = group
            return SyncGroupResponse(error: .rebalanceInProgress, assignment: [])
        case .stable:
            groups[groupId] = group
            return SyncGroupResponse(error: nil, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment)
        case .completingRebalance:
            if memberId == group.leaderId {
                for id in group.members.keys {
                    group.members[id]!.assignment = assignments[id] ?? []
                    group.members[id]!.pendingSync?.resume(returning: SyncGroupResponse(
                        error: nil, protocolType: group.protocolType, protocolName: group.protocolName, assignment: assignments[id] ?? []))
                    group.members[id]!.pendingSync = nil
                }
                group.state = .stable
                groups[groupId] = group
                persistState(of: group)
                return SyncGroupResponse(error: nil, protocolType: group.protocolType, protocolName: group.protocolName, assignment: assignments[memberId] ?? [])
            }
            groups[groupId] = group
            return await withCheckedContinuation { continuation in
                groups[groupId]!.members[memberId]!.pendingSync = continuation
            }
        case .empty, .dead:
            return SyncGroupResponse(error: .unknownMemberId, assignment: [])
        }
    }

    /// Heartbeat: keeps the session alive; REBALANCE_IN_PROGRESS tells the member to rejoin.
    public func heartbeat(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String?) async -> GroupError? {
        if await !coordinates(groupId) { return .notCoordinator }
        if let error = await memberError(groupId, memberId: memberId, instance: groupInstanceId) { return error }
        guard var group = groups[groupId], group.members[memberId] != nil else { return .unknownMemberId }
        group.members[memberId]!.lastSeen = .now
        groups[groupId] = group
        if group.state == .preparingRebalance { return .rebalanceInProgress }
        guard generationId == group.generation else { return .illegalGeneration }
        return nil
    }

    /// LeaveGroup for one or more members (by member id, or by instance id for static
    /// members); returns the error per member (nil = left).
    public func leave(groupId: String, members: [(memberId: String, groupInstanceId: String?)]) async -> [GroupError?] {
        if await !coordinates(groupId) { return members.map { _ in .notCoordinator } }
        guard var group = groups[groupId] else { return members.map { _ in .unknownMemberId } }
        var results: [GroupError?] = []
        var anyLeft = false
        for (memberId, instance) in members {
            // Kafka's order: an admin names a static member by instance id alone; a member
            // id may be one still pending (KIP-394); then fenced before unknown.
            if !memberId.isEmpty, group.pendingMemberIds.removeValue(forKey: memberId) != nil {
                results.append(nil)
                continue
            }
            if !memberId.isEmpty, group.isFenced(instance: instance, memberId: memberId) {
                results.append(.fencedInstanceId)
                continue
            }
            let id = memberId.isEmpty ? instance.flatMap { group.staticMembers[$0] } : memberId
            guard let id, group.members[id] != nil else {
                results.append(.unknownMemberId)
                continue
            }
            group.remove(id, answering: .unknownMemberId)
            anyLeft = true
            results.append(nil)
        }
        if anyLeft {
            if group.members.isEmpty && group.state != .preparingRebalance {
                group.generation += 1
                group.state = .empty
                group.protocolName = nil
                group.leaderId = nil
            } else if group.state != .preparingRebalance {
                prepareRebalance(&group, reason: "members left")
                group.initialDelayDeadline = nil
            }
            persistState(of: group)
        }
        groups[groupId] = group
        completeJoinIfReady(groupId, now: .now)
        return results
    }

    /// Kafka's order of checks for a member's call: FENCED_INSTANCE_ID when its instance
    /// id now belongs to another member id, then UNKNOWN_MEMBER_ID.
    func memberError(_ groupId: String, memberId: String, instance: String?) async -> GroupError? {
        guard let group = groups[groupId] else {
            return await fencedByStoredState(groupId, memberId: memberId, instance: instance) ? .fencedInstanceId : .unknownMemberId
        }
        if group.isFenced(instance: instance, memberId: memberId) { return .fencedInstanceId }
        return group.members[memberId] == nil ? .unknownMemberId : nil
    }

    /// For a group not in memory (the coordinator restarted or took over): whether the
    /// stored state gives the instance id to another member id. A stale process must not
    /// come back as the static member after a failover.
    func fencedByStoredState(_ groupId: String, memberId: String, instance: String?) async -> Bool {
        guard let instance, let stored = try? await metadata.groupState(groupId), let holder = stored.staticMembers[instance] else { return false }
        return holder != memberId
    }

    // MARK: Timers

    /// Expires sessions and pending member ids, completes rebalances whose wait is over,
    /// and (every minute) expires offsets of empty groups.
    func tick(now: ContinuousClock.Instant) async {
        for id in Array(groups.keys) {
            guard var group = groups[id] else { continue }
            group.pendingMemberIds = group.pendingMemberIds.filter { now - $0.value < .milliseconds(config.maxSessionTimeoutMs) && now - $0.value < .seconds(300) }
            let expired = group.members.values.filter { $0.pendingJoin == nil && now - $0.lastSeen > $0.sessionTimeout }
            for member in expired {
                logger.info("member session expired", metadata: ["group": "\(id)", "member": "\(member.memberId)"])
                group.remove(member.memberId, answering: .unknownMemberId)
            }
            if !expired.isEmpty {
                if group.members.isEmpty && group.state != .preparingRebalance {
                    group.generation += 1
                    group.state = .empty
                    group.leaderId = nil
                    group.protocolName = nil
                } else if group.state == .stable || group.state == .completingRebalance {
                    prepareRebalance(&group, reason: "session timeout")
                    group.initialDelayDeadline = nil
                }
                persistState(of: group)
            }
            groups[id] = group
            completeJoinIfReady(id, now: now)
            if let current = groups[id], current.state == .empty, current.members.isEmpty, current.pendingMemberIds.isEmpty {
                groups.removeValue(forKey: id)
            }
        }
        if now - lastOffsetExpiry >= .seconds(60) {
            lastOffsetExpiry = now
            await expireOffsets(now: Date())
        }
    }
}
