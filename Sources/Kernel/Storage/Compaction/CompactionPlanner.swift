/// What a plugin knows about one segment, cheaply, for planning a clean.
public struct CompactionSegmentSummary: Sendable, Equatable {
    public var baseOffset: Int64
    /// The offset after the segment's last batch (its base offset when empty).
    public var endOffset: Int64
    /// Batch bytes in the segment.
    public var bytes: Int64
    /// Largest record timestamp, milliseconds (Int64.min when empty).
    public var maxTimestamp: Int64

    public init(baseOffset: Int64, endOffset: Int64, bytes: Int64, maxTimestamp: Int64) {
        self.baseOffset = baseOffset
        self.endOffset = endOffset
        self.bytes = bytes
        self.maxTimestamp = maxTimestamp
    }
}

/// Plans a clean the way Kafka's cleaner manager does, shared by every storage plugin.
public enum CompactionPlanner {
    /// The cleanable range and its dirtiness.
    ///
    /// - Parameters:
    ///   - segments: every segment in offset order, the active (last) one included.
    ///   - checkpoint: the plugin's stored "clean up to" offset (0 when none).
    ///   - firstDirtyBatchMaxTimestamp: the max timestamp of the first batch at or after
    ///     the checkpoint, for `maxCompactionLagMs` (nil when none).
    ///   - earliestDeleteHorizon: the earliest horizon stamped on a batch that still holds
    ///     a tombstone (nil when none).
    public static func stats(segments: [CompactionSegmentSummary], checkpoint: Int64, policy: CompactionPolicy,
                             nowMs: Int64, firstDirtyBatchMaxTimestamp: Int64?, earliestDeleteHorizon: Int64?) -> CompactionStats {
        guard let active = segments.last else {
            return CompactionStats(firstDirtyOffset: checkpoint, firstUncleanableOffset: checkpoint, cleanBytes: 0, dirtyBytes: 0,
                                   maxLagExceeded: false, deleteHorizonReached: false)
        }
        let logStart = segments[0].baseOffset
        var firstUncleanable = active.baseOffset
        let lagBound = policy.minCompactionLagMs > 0 ? nowMs &- policy.minCompactionLagMs : Int64.max
        for segment in segments.dropLast()
        where segment.maxTimestamp > lagBound || segment.endOffset > policy.maxCleanableOffset {
            firstUncleanable = segment.baseOffset
            break
        }
        let firstDirty = min(max(checkpoint, logStart), firstUncleanable)
        var clean: Int64 = 0, dirty: Int64 = 0
        for segment in segments where segment.baseOffset < firstUncleanable {
            if segment.endOffset <= firstDirty { clean += segment.bytes } else { dirty += segment.bytes }
        }
        let maxLag = policy.maxCompactionLagMs < Int64.max && dirty > 0
            && (firstDirtyBatchMaxTimestamp.map { $0 < nowMs &- policy.maxCompactionLagMs } ?? false)
        let horizon = earliestDeleteHorizon.map { nowMs >= $0 } ?? false
        return CompactionStats(firstDirtyOffset: firstDirty, firstUncleanableOffset: firstUncleanable,
                               cleanBytes: clean, dirtyBytes: dirty, maxLagExceeded: maxLag,
                               deleteHorizonReached: horizon && firstUncleanable > logStart)
    }

    /// Groups consecutive cleaned segments so each group's bytes stay within
    /// `segmentBytes` (Kafka merges small cleaned segments the same way). Returns the
    /// index ranges of `sizes` to merge.
    public static func mergeGroups(sizes: [Int64], segmentBytes: Int64) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var start = 0
        var total: Int64 = 0
        for (i, size) in sizes.enumerated() {
            if i > start && total + size > segmentBytes {
                groups.append(start..<i)
                start = i
                total = 0
            }
            total += size
        }
        if start < sizes.count { groups.append(start..<sizes.count) }
        return groups
    }
}
