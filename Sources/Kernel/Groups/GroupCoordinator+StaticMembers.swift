import Foundation

// Static membership (KIP-345): a member with a `group.instance.id` keeps its place in
// the group across restarts. It sends no LeaveGroup when it closes; it leaves by session
// timeout or when an admin removes it by instance id (LeaveGroup v3+).

extension GroupCoordinator {
    /// JoinGroup with an unknown (empty) member id and an instance id the group knows: a
    /// restart of that static member, or a second process with the same instance id. As
    /// in Kafka, in any state the new process takes over the member under a new member
    /// id and the old id is fenced (its waiting Join/Sync answered FENCED_INSTANCE_ID).
    ///
    /// - Stable: no rebalance unless the group's protocol would change. The member gets
    ///   the current generation and its old assignment through SyncGroup; the answer names
    ///   the leader as it was before the replacement, so a restarted leader does not take
    ///   itself for the leader and compute an assignment a stable group would not send.
    /// - CompletingRebalance: a new rebalance, or the member would be left without an
    ///   assignment (the leader computed it for the old member id).
    /// - PreparingRebalance: the member waits for the join phase like everyone else.
    func rejoinStaticMember(_ request: JoinGroupRequest, group: ConsumerGroup, instance: String,
                            oldMemberId: String, newMemberId: String) async -> JoinGroupResponse {
        var group = group
        let previousLeader = group.leaderId
        group.replaceStaticMember(instance, oldMemberId: oldMemberId, newMemberId: newMemberId)
        var member = group.members[newMemberId]!
        member.protocols = request.protocols
        member.clientId = request.clientId
        member.clientHost = request.clientHost
        member.sessionTimeout = .milliseconds(request.sessionTimeoutMs)
        member.rebalanceTimeout = .milliseconds(request.rebalanceTimeoutMs)
        member.lastSeen = .now
        group.members[newMemberId] = member
        logger.info("static member rejoined under a new member id", metadata: [
            "group": "\(group.id)", "instance": "\(instance)", "old": "\(oldMemberId)", "new": "\(newMemberId)",
            "state": "\(group.state.rawValue)",
        ])

        switch group.state {
        case .stable where group.selectProtocol() == group.protocolName:
            groups[group.id] = group
            // Durable before the member hears of its new id: a coordinator that reloads
            // the group must fence the old id, not the live member.
            await persistState(of: group).value
            guard groups[group.id]?.members[newMemberId] != nil else { return .failure(.unknownMemberId, memberId: newMemberId) }
            return JoinGroupResponse(error: nil, generationId: group.generation, protocolType: group.protocolType,
                                     protocolName: group.protocolName, leader: previousLeader ?? "", memberId: newMemberId)
        case .stable, .completingRebalance:
            prepareRebalance(&group, reason: "static member \(instance) rejoined")
        case .preparingRebalance, .empty, .dead:
            break
        }
        groups[group.id] = group
        persistState(of: group)
        return await awaitJoin(group.id, memberId: newMemberId)
    }

    /// Saves the group's generation, protocol type and static members after the last
    /// save, in order, then (when Stable or Empty) its group-metadata record in
    /// `__consumer_offsets`; the returned task ends when both are written.
    @discardableResult
    func persistState(of group: ConsumerGroup) -> Task<Void, Never> {
        let record = GroupStateRecord(group: group.id, protocolType: group.protocolType, generation: group.generation,
                                      staticMembers: group.staticMembers)
        let logged = metadataRecord(of: group)
        let previous = lastStateSave
        let save = Task { [metadata, logger, offsetsLog] in
            await previous?.value
            do { try await metadata.saveGroupState(record) } catch { logger.error("saving group \(record.group) state failed: \(error)") }
            if let logged { await offsetsLog?(record.group, [logged]) }
        }
        lastStateSave = save
        return save
    }
}
