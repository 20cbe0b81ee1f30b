import Foundation

/// One partition the log cleaner may compact, with its topic's policy.
public struct CompactionTarget: Sendable {
    public let partition: Partition
    public let policy: CompactionPolicy
}

extension Broker {
    /// Every local partition of a topic whose `cleanup.policy` contains `compact` that this
    /// broker may clean: all of them on a single node, the ones it leads in cluster mode.
    public func compactionTargets() async -> [CompactionTarget] {
        var targets: [CompactionTarget] = []
        for state in topicStates.values.sorted(by: { $0.record.name < $1.record.name })
        where state.settings.cleanupPolicy.contains(.compact) {
            let policy = state.settings.compaction(codec: codec)
            for index in state.partitions.keys.sorted() {
                guard let partition = state.partitions[index], await partition.mayCompact else { continue }
                var bounded = policy
                // Never past the last stable offset: a record of an open transaction must not
                // replace an older value of its key before the transaction commits.
                let highWatermark = await partition.highWatermark
                bounded.maxCleanableOffset = (try? await partition.loadedLastStableOffset()) ?? highWatermark
                targets.append(CompactionTarget(partition: partition, policy: bounded))
            }
        }
        return targets
    }
}

extension Partition {
    /// Single node, or this broker leads the partition. A follower's log is the leader's
    /// as fetched; cleaning it apart could remove the batch boundary a later truncation
    /// (on a leader change) needs.
    var mayCompact: Bool { !clustered || leadership != nil }

    /// The log's dirtiness for `policy` (cheap; see `PartitionLog.compactionStats`).
    public nonisolated func compactionStats(_ policy: CompactionPolicy, now: Date) async throws -> CompactionStats {
        try await log.compactionStats(policy, now: now)
    }

    /// Compacts the log when due. Called on the cleaner's task, not through the actor, so
    /// appends to this partition are never queued behind a clean; the storage plugin
    /// orders the two. Offsets, the log start and the high watermark do not move.
    public nonisolated func compact(_ policy: CompactionPolicy, now: Date) async throws -> CompactionResult {
        try await log.compact(policy, now: now)
    }
}
