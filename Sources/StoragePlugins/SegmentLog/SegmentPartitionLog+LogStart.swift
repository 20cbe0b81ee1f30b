import Foundation
import SluiceKernel

extension SegmentPartitionLog {
    /// DeleteRecords: records the new log start in `log-start-offset` (atomically, before
    /// anything is deleted, so a crash never resurrects deleted offsets), then deletes the
    /// whole segments below it, oldest first, never the active one. A crash between the
    /// two leaves segments below the start; the next advance or retention pass deletes them.
    func advanceLogStart(to offset: Int64) async throws -> Int64 {
        try checkOpen()
        await acquireWriter()
        defer { releaseWriter() }
        try checkOpen()
        guard offset <= logEndOffset else {
            throw StorageError.offsetOutOfRange(requested: offset, logStartOffset: logStartOffset, logEndOffset: logEndOffset)
        }
        guard offset > logStartOffset else { return logStartOffset }
        let checkpoint = checkpoint
        try await committer.run { try checkpoint.writeLogStartOffset(offset) }
        logStartFloor = offset
        try await deleteSegmentsBelowLogStart()
        logger.info("log start advanced", metadata: ["partition": "\(topicPartition)", "logStartOffset": "\(logStartOffset)"])
        return logStartOffset
    }

    /// Deletes the segments whose every offset is below the log start (the next segment
    /// starts at or before it); the directory is fsynced when one went. Returns the bytes
    /// deleted. The caller holds the writer.
    @discardableResult
    func deleteSegmentsBelowLogStart() async throws -> Int64 {
        var deleted: Int64 = 0
        var removed: [LogSegment] = []
        while segments.count > 1, segments[1].baseOffset <= logStartFloor {
            let oldest = segments.removeFirst()
            removed.append(oldest)
            try oldest.deleteFiles()
            deleted += oldest.size
        }
        await forgetFiles(of: removed)
        if deleted > 0 {
            let directory = directory
            try await committer.run { try FileIO.syncDirectory(directory) }
            await publishDurableSummary()
        }
        return deleted
    }
}
