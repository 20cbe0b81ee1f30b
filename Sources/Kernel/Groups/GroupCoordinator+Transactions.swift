import Foundation

/// Offsets committed inside transactions (TxnOffsetCommit, KIP-98 / KIP-447): staged
/// durably per producer, applied to the group's committed offsets when the transaction
/// commits, dropped when it aborts. While any are staged, OffsetFetch with
/// `require_stable` answers UNSTABLE_OFFSET_COMMIT for their partitions.
extension GroupCoordinator: TransactionalOffsetsCompleter {
    /// TxnOffsetCommit: checks the member id, generation and instance id the way Kafka
    /// does (generation -1 / empty member id skip those checks, as v0-2 clients send), then
    /// stages the offsets durably before returning.
    public func commitTransactionalOffsets(groupId: String, producerId: Int64, generationId: Int32, memberId: String,
                                           groupInstanceId: String?, offsets: [TopicPartition: CommittedOffset]) async -> GroupError? {
        guard !groupId.isEmpty else { return .invalidGroupId }
        if await !coordinates(groupId) { return .notCoordinator }
        if groups[groupId] == nil, await fencedByStoredState(groupId, memberId: memberId, instance: groupInstanceId) {
            return .fencedInstanceId
        }
        if let group = groups[groupId] {
            if group.isFenced(instance: groupInstanceId, memberId: memberId) { return .fencedInstanceId }
            if !memberId.isEmpty && group.members[memberId] == nil { return .unknownMemberId }
            if generationId >= 0 && generationId != group.generation { return .illegalGeneration }
        } else if !memberId.isEmpty {
            // A member of a generation this coordinator does not know (it restarted): rejoin.
            return .unknownMemberId
        } else if generationId >= 0 {
            return .illegalGeneration
        }
        guard !offsets.isEmpty else { return nil }
        do {
            try await metadata.stageTransactionalOffsets(group: groupId, producerId: producerId, offsets)
        } catch {
            return .storage("\(error)")
        }
        return nil
    }

    /// Applies (commit) or drops (abort) the offsets `producerId` staged on `group`; the
    /// transaction coordinator calls it when it completes a transaction with that group.
    public func completeTransactionalOffsets(group: String, producerId: Int64, commit: Bool) async throws {
        let staged = commit ? try await metadata.stagedTransactionalOffsets(group: group).first { $0.producerId == producerId } : nil
        try await metadata.completeTransactionalOffsets(group: group, producerId: producerId, commit: commit)
        if let staged, !staged.offsets.isEmpty {
            await offsetsLog?(group, Self.commitRecords(group: group, staged.offsets))
        }
    }

    /// Partitions of `groupId` with offsets staged by an open transaction.
    public func unstableOffsets(groupId: String) async throws -> Set<TopicPartition> {
        Set(try await metadata.stagedTransactionalOffsets(group: groupId).flatMap(\.offsets.keys))
    }
}
