import Foundation
import SluiceKernel

extension SegmentPartitionLog {
    /// Empties the log and restarts it at `offset` (a follower whose log end fell below
    /// the leader's log start). Order for crash safety: `log-start-offset` first, then the
    /// old segments go, then the new empty segment is created and the directory fsynced.
    /// A crash before the deletions leaves the old log (start capped at its end); a crash
    /// after them leaves an empty log, which the loader starts at 0 or at the new segment.
    /// Either way the follower finds itself out of range again and resets again.
    func truncateFully(startingAt offset: Int64) async throws {
        try checkOpen()
        await acquireWriter()
        defer { releaseWriter() }
        try checkOpen()
        let checkpoint = checkpoint, directory = directory
        try await committer.run { try checkpoint.writeLogStartOffset(offset) }
        logStartFloor = offset
        let removed = segments
        for segment in removed { try segment.deleteFiles() }
        await forgetFiles(of: removed)
        segments = [try LogSegment.create(baseOffset: offset, directory: directory,
                                          indexIntervalBytes: options.indexIntervalBytes, now: options.nowMilliseconds)]
        cleanedUpTo = offset
        earliestDeleteHorizon = nil
        try CleanerCheckpoint(cleanedUpTo: offset, deleteHorizon: -1).write(directory: directory)
        writeGeneration += 1
        truncations += 1
        let fresh = active
        let freshFile = try await file(of: fresh)
        try await committer.sync([freshFile] + (try fresh.persistIndexesForSync()))
        fresh.noteIndexesSynced()
        try await committer.run { try FileIO.syncDirectory(directory) }
        // The storage checkpoint must vouch only for the new, empty segment.
        fresh.durable = try fresh.summary()
        await publishDurableSummary()
        await options.checkpoints.writeNow()
        logger.notice("log emptied and restarted", metadata: ["partition": "\(topicPartition)", "logStartOffset": "\(offset)"])
    }
}
