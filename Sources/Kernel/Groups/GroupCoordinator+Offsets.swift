import Foundation

extension GroupCoordinator {
    // MARK: Offsets

    /// OffsetCommit: checks membership and generation (generation -1 with no member id
    /// is a "simple" commit, allowed only while the group has no members), then stores
    /// the offsets durably in one transaction before returning.
    public func commitOffsets(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String?,
                              offsets: [TopicPartition: CommittedOffset]) async -> GroupError? {
        guard !groupId.isEmpty else { return .invalidGroupId }
        if await !coordinates(groupId) { return .notCoordinator }
        if groups[groupId] == nil, await fencedByStoredState(groupId, memberId: memberId, instance: groupInstanceId) {
            return .fencedInstanceId
        }
        if var group = groups[groupId], !group.members.isEmpty || generationId >= 0 {
            if group.isFenced(instance: groupInstanceId, memberId: memberId) { return .fencedInstanceId }
            if generationId < 0 && memberId.isEmpty {
                return .unknownMemberId
            }
            guard group.members[memberId] != nil else { return .unknownMemberId }
            guard generationId == group.generation else { return .illegalGeneration }
            if group.state == .completingRebalance { return .rebalanceInProgress }
            group.members[memberId]!.lastSeen = .now
            groups[groupId] = group
        } else if generationId >= 0 {
            // A member of a generation the coordinator does not know (it restarted): rejoin.
            return .illegalGeneration
        }
        guard !offsets.isEmpty else { return nil }
        return await storeAndLogCommit(groupId, offsets)
    }

    /// OffsetFetch: the committed offsets of a group, all or only `partitions`.
    public func fetchOffsets(groupId: String, partitions: [TopicPartition]?) async throws -> [TopicPartition: CommittedOffset] {
        let all = try await metadata.committedOffsets(group: groupId)
        guard let partitions else { return all }
        return all.filter { partitions.contains($0.key) }
    }

    /// OffsetDelete: refused while the group has members.
    public func deleteOffsets(groupId: String, partitions: [TopicPartition]) async -> GroupError? {
        if let group = groups[groupId], !group.members.isEmpty { return .groupSubscribedToTopic }
        let known = (try? await metadata.groups().contains(groupId)) ?? false
        guard known || groups[groupId] != nil else { return .groupIdNotFound }
        do { try await metadata.deleteOffsets(group: groupId, partitions: partitions) } catch { return .storage("\(error)") }
        await offsetsLog?(groupId, Self.offsetTombstones(group: groupId, partitions))
        return nil
    }

    /// Deletes offsets of groups without members whose last commit is older than
    /// `offsetsRetentionMinutes`.
    func expireOffsets(now: Date) async {
        let cutoff = now.addingTimeInterval(-Double(config.offsetsRetentionMinutes) * 60)
        guard let stored = try? await metadata.groups() else { return }
        for groupId in stored where groups[groupId]?.members.isEmpty ?? true {
            guard let offsets = try? await metadata.committedOffsets(group: groupId) else { continue }
            let stale = offsets.filter { $0.value.commitTime < cutoff }.map(\.key)
            guard !stale.isEmpty else { continue }
            do {
                try await metadata.deleteOffsets(group: groupId, partitions: stale)
                await offsetsLog?(groupId, Self.offsetTombstones(group: groupId, stale))
                logger.info("expired committed offsets", metadata: ["group": "\(groupId)", "partitions": "\(stale.count)"])
            } catch {
                logger.error("expiring offsets of \(groupId) failed: \(error)")
            }
        }
    }

    // MARK: Listing and deleting groups

    /// Every group with members or stored offsets/state, with its state and protocol type.
    public func listGroups() async -> [(groupId: String, protocolType: String, state: GroupState)] {
        var result: [String: (String, GroupState)] = [:]
        for stored in (try? await metadata.groups()) ?? [] {
            let type = (try? await metadata.groupState(stored))??.protocolType ?? ""
            result[stored] = (type, .empty)
        }
        for (id, group) in groups { result[id] = (group.protocolType ?? "", group.state) }
        return result.sorted { $0.key < $1.key }.map { ($0.key, $0.value.0, $0.value.1) }
    }

    /// DescribeGroups for one group: state, protocol, members with their assignment.
    /// Unknown groups are `dead`, as Kafka reports them.
    public func describe(groupId: String) async -> GroupDescription {
        if let group = groups[groupId] {
            let members = group.orderedMembers.map {
                GroupDescription.Member(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, clientId: $0.clientId, clientHost: $0.clientHost,
                                        metadata: $0.metadata(for: group.protocolName ?? ""), assignment: $0.assignment)
            }
            return GroupDescription(groupId: groupId, state: group.state, protocolType: group.protocolType ?? "",
                                    protocolName: group.protocolName ?? "", generationId: group.generation, members: members)
        }
        let stored = (try? await metadata.groups().contains(groupId)) ?? false
        let state = stored ? (try? await metadata.groupState(groupId)) ?? nil : nil
        return GroupDescription(groupId: groupId, state: stored ? .empty : .dead, protocolType: state?.protocolType ?? "",
                                protocolName: "", generationId: state?.generation ?? 0, members: [])
    }

    /// DeleteGroups for one group: refused while it has members.
    public func deleteGroup(_ groupId: String) async -> GroupError? {
        if let group = groups[groupId], !group.members.isEmpty { return .nonEmptyGroup }
        let stored = (try? await metadata.groups().contains(groupId)) ?? false
        guard stored || groups[groupId] != nil else { return .groupIdNotFound }
        // A state save still queued would bring the deleted group back.
        await lastStateSave?.value
        if let group = groups[groupId], !group.members.isEmpty { return .nonEmptyGroup }
        let committed = (try? await metadata.committedOffsets(group: groupId)) ?? [:]
        do { try await metadata.deleteGroup(groupId) } catch { return .storage("\(error)") }
        groups.removeValue(forKey: groupId)
        await offsetsLog?(groupId, Self.offsetTombstones(group: groupId, Array(committed.keys))
            + [OffsetsLogRecord(key: OffsetsTopicRecords.groupMetadataKey(group: groupId), value: nil)])
        return nil
    }
}
