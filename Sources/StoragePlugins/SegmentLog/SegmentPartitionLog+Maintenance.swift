import Foundation
import SluiceKernel

extension SegmentPartitionLog {
    /// Removes every batch at or after `offset` (a batch boundary). Segments after it are
    /// deleted newest first, so a crash part-way leaves a contiguous log; the cut is
    /// fsynced and the recovery point lowered to it before this returns.
    func truncate(to offset: Int64) async throws {
        try checkOpen()
        await acquireWriter()
        defer { releaseWriter() }
        try checkOpen()
        guard offset < logEndOffset else { return }
        guard offset >= segments.first!.baseOffset else {
            throw StorageError.offsetOutOfRange(requested: offset, logStartOffset: logStartOffset, logEndOffset: logEndOffset)
        }
        if offset < logStartFloor {
            // Cutting below the DeleteRecords start (a follower's truncation): the log
            // then starts where it ends, as Kafka's truncate-fully does.
            try checkpoint.writeLogStartOffset(offset)
            logStartFloor = offset
        }
        if cleanedUpTo > offset {
            cleanedUpTo = offset
            try CleanerCheckpoint(cleanedUpTo: offset, deleteHorizon: earliestDeleteHorizon ?? -1).write(directory: directory)
        }
        let index = segmentIndex(containing: offset)
        let segment = segments[index]
        let segmentFile = try await file(of: segment)
        var position: Int64 = 0
        if offset != segment.baseOffset {
            guard let (at, header) = try segment.locate(offset, file: segmentFile), header.baseOffset == offset else {
                throw StorageError.notBatchBoundary(offset: offset)
            }
            position = at
        }
        var removed: [LogSegment] = []
        while segments.count > index + 1 {
            removed.append(segments.removeLast())
            try removed.last!.deleteFiles()
        }
        if position == 0, index > 0 {
            removed.append(segments.removeLast())
            try removed.last!.deleteFiles()
        } else {
            try segment.truncate(at: position, offset: offset, file: segmentFile)
            try segment.filterAbortedTransactions { $0.lastOffset < offset }
        }
        await forgetFiles(of: removed)
        writeGeneration += 1
        truncations += 1
        let directory = directory
        let kept = active
        let keptFile = try await file(of: kept)
        try await committer.sync([keptFile] + (try kept.persistIndexesForSync()))
        kept.noteIndexesSynced()
        try await committer.run { try FileIO.syncDirectory(directory) }
        // The checkpoint must not vouch for the bytes cut (or the segments deleted) once
        // new appends could take their place.
        kept.durable = try kept.summary()
        await publishDurableSummary()
        await options.checkpoints.writeNow()
        logger.info("truncated log", metadata: ["partition": "\(topicPartition)", "logEndOffset": "\(logEndOffset)"])
    }

    /// Deletes whole segments, oldest first, never the active one:
    /// - by time: while a segment's newest record (or, without timestamps, its file's
    ///   modification time) is more than `retentionMs` before `now`;
    /// - by size: while deleting the oldest segment still leaves at least
    ///   `retentionBytes` (Kafka's rule: the partition keeps at least the limit).
    func applyRetention(_ policy: RetentionPolicy, now: Date) async throws -> RetentionResult {
        try checkOpen()
        await acquireWriter()
        defer { releaseWriter() }
        try checkOpen()
        let previousStart = logStartOffset
        // Segments a crash left below the DeleteRecords start.
        var deleted = try await deleteSegmentsBelowLogStart()
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        var count = 0
        let keepFrom = policy.firstOffsetToKeep ?? Int64.max
        if let retentionMs = policy.retentionMs {
            while count < segments.count - 1, segments[count].nextOffset <= keepFrom,
                  nowMs - segments[count].largestTimestamp() > retentionMs { count += 1 }
        }
        if let retentionBytes = policy.retentionBytes {
            var size = segments[count...].reduce(Int64(0)) { $0 + $1.size }
            while count < segments.count - 1, segments[count].nextOffset <= keepFrom, size - segments[count].size >= retentionBytes {
                size -= segments[count].size
                count += 1
            }
        }
        var removed: [LogSegment] = []
        for _ in 0..<count {
            let oldest = segments[0]
            try oldest.deleteFiles()
            segments.removeFirst()
            removed.append(oldest)
            deleted += oldest.size
        }
        await forgetFiles(of: removed)
        if count > 0 {
            let directory = directory
            try await committer.run { try FileIO.syncDirectory(directory) }
            await publishDurableSummary()
        }
        return RetentionResult(previousLogStartOffset: previousStart, logStartOffset: logStartOffset, deletedBytes: deleted)
    }
}
