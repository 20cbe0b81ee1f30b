import Foundation
import SluiceKernel

/// Log compaction for the segment log: the heavy work (`SegmentCleaner`) runs off the
/// actor, so appends continue; only the swap of the cleaned segments holds the writer.
extension SegmentPartitionLog {
    func compactionStats(_ policy: CompactionPolicy, now: Date) async throws -> CompactionStats {
        try checkOpen()
        return try await stats(policy, nowMs: Self.milliseconds(now))
    }

    func stats(_ policy: CompactionPolicy, nowMs: Int64) async throws -> CompactionStats {
        let summaries = segments.map {
            CompactionSegmentSummary(baseOffset: $0.baseOffset, endOffset: $0.nextOffset, bytes: $0.size, maxTimestamp: $0.maxTimestamp)
        }
        var firstDirtyTimestamp: Int64?
        if policy.maxCompactionLagMs < Int64.max {
            for segment in segments where segment.nextOffset > cleanedUpTo {
                if let (_, header) = try segment.locate(max(cleanedUpTo, segment.baseOffset), file: try await file(of: segment)) {
                    firstDirtyTimestamp = header.maxTimestamp
                    break
                }
            }
        }
        return CompactionPlanner.stats(segments: summaries, checkpoint: cleanedUpTo, policy: policy, nowMs: nowMs,
                                       firstDirtyBatchMaxTimestamp: firstDirtyTimestamp, earliestDeleteHorizon: earliestDeleteHorizon)
    }

    func compact(_ policy: CompactionPolicy, now: Date) async throws -> CompactionResult {
        try checkOpen()
        let nowMs = Self.milliseconds(now)
        let stats = try await stats(policy, nowMs: nowMs)
        let cleanable = segments.filter { $0.baseOffset < stats.firstUncleanableOffset }
        guard stats.isDue(policy), !cleanable.isEmpty, !cleaning else { return .notDue(stats) }
        cleaning = true
        defer { cleaning = false }
        let truncationsAtStart = truncations
        // The cleaner holds these descriptors while it runs, evicted from the cache or not.
        var sources: [CleanerSource] = []
        let snapshot = segments.map { ($0, $0.size) }
        for (segment, size) in snapshot {
            sources.append(CleanerSource(baseOffset: segment.baseOffset, file: try await file(of: segment), size: size,
                                         rollTimestamp: segment.rollTimestamp))
        }
        let aborted = try await abortedTransactions(from: logStartOffset, upTo: stats.firstUncleanableOffset)
        let cleanableSources = Array(sources.prefix(cleanable.count))
        let laterSources = Array(sources.dropFirst(cleanable.count))
        let cleaner = SegmentCleaner(
            directory: directory, cleanable: cleanableSources,
            later: laterSources,
            firstDirty: stats.firstDirtyOffset, firstUncleanable: stats.firstUncleanableOffset, policy: policy, nowMs: nowMs,
            offsetMapBytes: options.cleaner.offsetMapBytes, throttle: options.cleaner.throttle,
            segmentBytes: config.segmentBytes, indexIntervalBytes: options.indexIntervalBytes, aborted: aborted)
        let gate = options.cleaner.gate
        await gate.acquire()
        let outcome: SegmentCleaner.Outcome
        do {
            outcome = try await Task.detached { try await cleaner.run(dirtyRatio: stats.dirtyRatio) }.value
        } catch {
            await gate.release()
            throw error
        }
        await gate.release()

        await acquireWriter()
        defer { releaseWriter() }
        let replaced = segments.filter { $0.baseOffset >= outcome.rangeStart && $0.baseOffset < outcome.rangeEnd }
        let planned = cleanable.filter { $0.baseOffset >= outcome.rangeStart && $0.baseOffset < outcome.rangeEnd }
        guard !closed, truncations == truncationsAtStart, replaced.count == planned.count,
              zip(replaced, planned).allSatisfy({ $0 === $1 }), segments.contains(where: { $0.baseOffset >= outcome.rangeEnd }) else {
            // Retention, truncation or DeleteRecords changed the segments meanwhile.
            for segment in outcome.segments { try? FileIO.remove(CleanerSwap.swapPath(directory, segment.baseOffset)) }
            logger.info("discarding a clean: the log changed while it ran", metadata: ["partition": "\(topicPartition)"])
            return .notDue(try await self.stats(policy, nowMs: nowMs))
        }
        let swap = CleanerSwap(rangeStart: outcome.rangeStart, rangeEnd: outcome.rangeEnd, newBases: outcome.segments.map(\.baseOffset),
                               cleanedUpTo: outcome.mappedEnd, deleteHorizon: outcome.deleteHorizon ?? -1)
        let directory = directory
        let bases = replaced.map(\.baseOffset)
        try await committer.run {
            try FileIO.writeAtomically(swap.text, to: directory + "/" + CleanerSwap.markerName, directory: directory)
            try swap.complete(directory: directory, existingBases: bases)
        }
        var fresh: [LogSegment] = []
        for cleaned in outcome.segments {
            let paths = SegmentFiles(directory: directory, baseOffset: cleaned.baseOffset)
            let file = LogFileHandle(descriptor: try FileIO.open(paths.log, create: false), path: paths.log)
            let inode = try FileIO.identity(file.descriptor, path: paths.log).inode
            let offsetIndex = IndexFile<OffsetEntry>(path: paths.offsetIndex)
            let timeIndex = IndexFile<TimeEntry>(path: paths.timeIndex)
            try offsetIndex.rewrite(cleaned.index.offsetEntries)
            try timeIndex.rewrite(cleaned.index.timeEntries)
            let state = LogSegment.State(size: cleaned.size, nextOffset: cleaned.nextOffset, maxTimestamp: cleaned.index.maxTimestamp,
                                         offsetOfMaxTimestamp: cleaned.index.offsetOfMaxTimestamp, rollTimestamp: cleaned.rollTimestamp,
                                         bytesSinceOffsetEntry: cleaned.index.bytesSinceOffsetEntry,
                                         bytesSinceTimeEntry: cleaned.index.bytesSinceTimeEntry)
            let segment = LogSegment(baseOffset: cleaned.baseOffset, directory: directory, offsetIndex: offsetIndex,
                                     timeIndex: timeIndex, indexIntervalBytes: options.indexIntervalBytes, inode: inode, state: state)
            let handles = try segment.prepareSeal(file: file)
            try await committer.run { for handle in handles { try FileIO.sync(handle.descriptor, path: handle.path) } }
            segment.noteIndexesSynced()
            segment.durable = try segment.summary()
            fresh.append(segment)
        }
        try carryAbortedTransactions(from: replaced, into: fresh, endedMarkers: outcome.endedMarkers)
        await options.files.forget(replaced.map(\.slot))
        segments = fresh + segments.filter { $0.baseOffset >= outcome.rangeEnd }
        cleanedUpTo = outcome.mappedEnd
        earliestDeleteHorizon = outcome.deleteHorizon
        await publishDurableSummary()
        logger.info("cleaned log", metadata: [
            "partition": "\(topicPartition)", "segments": "\(outcome.result.segmentsCleaned) → \(outcome.result.segmentsAfter)",
            "bytes": "\(outcome.result.bytesRead) → \(outcome.result.bytesWritten)", "cleanedUpTo": "\(outcome.mappedEnd)",
        ])
        return outcome.result
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}
