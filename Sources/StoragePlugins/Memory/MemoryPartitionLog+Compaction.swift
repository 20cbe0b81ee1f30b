import Foundation
import SluiceKernel

/// Log compaction in memory: the same rules as the segment-log cleaner (`BatchCompactor`
/// does the record work, `CompactionTransactions` follows transactions), with segments
/// replaced in one actor step.
extension MemoryPartitionLog {
    public func compactionStats(_ policy: CompactionPolicy, now: Date) async throws -> CompactionStats {
        try ensureOpen()
        return stats(policy, nowMs: Self.milliseconds(now))
    }

    public func compact(_ policy: CompactionPolicy, now: Date) async throws -> CompactionResult {
        try ensureOpen()
        let started = Date()
        let nowMs = Self.milliseconds(now)
        let stats = stats(policy, nowMs: nowMs)
        guard stats.isDue(policy) else { return .notDue(stats) }
        let cleanable = segments.prefix { $0.baseOffset < stats.firstUncleanableOffset }.count

        var map = CompactionOffsetMap(memoryBytes: cleanerOffsetMapBytes)
        var mappedEnd = stats.firstUncleanableOffset
        var bytesRead: Int64 = 0
        let aborted = segments.flatMap(\.aborted)
        var mappingTransactions = CompactionTransactions(aborted: aborted)
        mapping: for segment in segments[..<cleanable] {
            for batch in segment.batches where batch.baseOffset >= stats.firstDirtyOffset {
                if !batch.isControl && mappingTransactions.isAborted(batch) { continue }
                guard try BatchCompactor.mapKeys(of: batch, into: &map, codec: policy.codec) else {
                    guard map.count > 0 else {
                        throw StorageError.offsetMapTooSmall(entries: map.capacity, batchRecords: Int(batch.recordCount))
                    }
                    mappedEnd = batch.baseOffset
                    break mapping
                }
                bytesRead += Int64(batch.byteCount)
            }
        }

        var lastBatchOfProducer: [Int64: Int64] = [:]
        for segment in segments { for batch in segment.batches where batch.producerId >= 0 { lastBatchOfProducer[batch.producerId] = batch.baseOffset } }

        var result = CompactionResult(cleaned: true, dirtyRatioBefore: stats.dirtyRatio, cleanedUpTo: mappedEnd)
        var horizon: Int64?
        var transactions = CompactionTransactions(aborted: aborted)
        var endedMarkers: Set<Int64> = []
        var cleaned: [Segment] = []
        for segment in segments[..<cleanable] {
            var out = Segment(baseOffset: segment.baseOffset, createdAt: segment.createdAt)
            out.aborted = segment.aborted
            for batch in segment.batches {
                let outcome = try BatchCompactor.compact(
                    batch, map: map, mappedEnd: mappedEnd, nowMs: nowMs, policy: policy,
                    isProducersLastBatch: batch.producerId >= 0 && lastBatchOfProducer[batch.producerId] == batch.baseOffset,
                    transactions: &transactions)
                bytesRead += Int64(batch.byteCount)
                if outcome.transactionDataGone { endedMarkers.insert(batch.baseOffset) }
                result.count(outcome)
                if let pending = outcome.pendingDeleteHorizon { horizon = min(horizon ?? pending, pending) }
                if let kept = outcome.batch {
                    out.add(kept)
                    result.bytesWritten += Int64(kept.byteCount)
                }
            }
            // An entry goes once its transaction has no data left (before its marker goes).
            out.aborted.removeAll { endedMarkers.contains($0.lastOffset) }
            cleaned.append(out)
        }
        var merged: [Segment] = []
        for group in CompactionPlanner.mergeGroups(sizes: cleaned.map { Int64($0.bytes) }, segmentBytes: Int64(config.segmentBytes)) {
            var segment = Segment(baseOffset: cleaned[group.lowerBound].baseOffset, createdAt: cleaned[group.lowerBound].createdAt)
            for part in cleaned[group] {
                for batch in part.batches { segment.add(batch) }
                segment.aborted += part.aborted
            }
            merged.append(segment)
        }
        segments = merged + segments[cleanable...]
        cleanerCheckpoint = mappedEnd
        earliestDeleteHorizon = horizon
        result.bytesRead = bytesRead
        result.segmentsCleaned = cleanable
        result.segmentsAfter = merged.count
        result.durationSeconds = Date().timeIntervalSince(started)
        return result
    }

    func stats(_ policy: CompactionPolicy, nowMs: Int64) -> CompactionStats {
        let summaries = segments.map {
            CompactionSegmentSummary(baseOffset: $0.baseOffset, endOffset: $0.nextOffset, bytes: Int64($0.bytes), maxTimestamp: $0.maxTimestamp)
        }
        let firstDirty = segments.lazy.flatMap(\.batches).first { $0.baseOffset >= self.cleanerCheckpoint }
        return CompactionPlanner.stats(segments: summaries, checkpoint: cleanerCheckpoint, policy: policy, nowMs: nowMs,
                                       firstDirtyBatchMaxTimestamp: firstDirty?.maxTimestamp,
                                       earliestDeleteHorizon: earliestDeleteHorizon)
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 * 1000) }
}
