import Foundation
import SluiceKernel

/// Log compaction for the segment log.
extension SegmentPartitionLog {
    func compactionStats(_ policy: CompactionPolicy, now: Date) async throws -> CompactionStats {
        try checkOpen()
        let summaries = segments.map {
            CompactionSegmentSummary(baseOffset: $0.baseOffset, endOffset: $0.nextOffset, bytes: $0.size, maxTimestamp: $0.maxTimestamp)
        }
        return CompactionPlanner.stats(segments: summaries, checkpoint: 0, policy: policy, nowMs: Int64(now.timeIntervalSince1970 * 1000),
                                       firstDirtyBatchMaxTimestamp: nil, earliestDeleteHorizon: nil)
    }

    /// Not implemented yet: the segment-log cleaner is being written (issue #26). Cleans
    /// nothing and says so.
    func compact(_ policy: CompactionPolicy, now: Date) async throws -> CompactionResult {
        logger.warning("log compaction is not implemented by the segment log yet; \(topicPartition) left as is")
        return .notDue(try await compactionStats(policy, now: now))
    }
}
