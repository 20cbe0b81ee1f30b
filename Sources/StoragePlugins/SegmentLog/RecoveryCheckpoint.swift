import Foundation
import Logging
import SluiceKernel

/// The durable summaries of every partition of a storage, kept in two storage-wide files
/// (`SummaryFile` format) in the data directory:
///
/// - `recovery-checkpoint`: rewritten (aside, fsynced, renamed) after the flushes that
///   moved some partition's durable state, like Kafka's recovery-point-offset-checkpoint.
///   After a crash, a partition's segments are trusted up to their summaries and only the
///   bytes after them are validated.
/// - `clean-shutdown`: written once by a clean close, every segment sealed. The next open
///   reads it and renames it over `recovery-checkpoint` before anything else happens, so a
///   crash after that is not taken for a clean stop.
///
/// A summary must never vouch for bytes that are not there: whatever removes or cuts what
/// one describes (a truncation, a deleted partition whose name is created again) writes
/// the file before new bytes can take the old ones' place (`writeNow`).
actor RecoveryCheckpoint {
    static let checkpointName = "recovery-checkpoint"
    static let cleanShutdownName = "clean-shutdown"

    nonisolated let directory: String
    /// Whether the storage opened after a clean close (it found a `clean-shutdown` record).
    nonisolated let openedAfterCleanShutdown: Bool
    private let logger: Logger
    private let committer: GroupCommitter
    private var entries: [TopicPartition: [SegmentSummary]]
    private var changed = false
    /// Partitions forgotten since the file was last written: it may still hold their summaries.
    private var removedSinceWrite: Set<TopicPartition> = []
    private var writing = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Loads the clean-shutdown record, or the checkpoint when there is none, and turns the
    /// record into the checkpoint (durably) so that it vouches for one start only.
    init(directory: String, committer: GroupCommitter, logger: Logger) throws {
        self.directory = directory
        self.committer = committer
        self.logger = logger
        let cleanPath = directory + "/" + Self.cleanShutdownName
        let checkpointPath = directory + "/" + Self.checkpointName
        var loaded: [TopicPartition: [SegmentSummary]]?
        var clean = false
        if access(cleanPath, F_OK) == 0 {
            if let record = try? SummaryFile.read(cleanPath) {
                loaded = record
                clean = true
                guard rename(cleanPath, checkpointPath) == 0 else { throw FileIO.error("rename", path: cleanPath) }
            } else {
                logger.warning("ignoring an unreadable clean-shutdown record; partitions recover from the recovery checkpoint",
                               metadata: ["file": "\(cleanPath)"])
                try FileIO.remove(cleanPath)
            }
            try FileIO.syncDirectory(directory)
        }
        if loaded == nil, access(checkpointPath, F_OK) == 0 {
            loaded = try? SummaryFile.read(checkpointPath)
            if loaded == nil {
                logger.warning("ignoring an unreadable recovery checkpoint; every partition is validated in full",
                               metadata: ["file": "\(checkpointPath)"])
            }
        }
        self.entries = loaded ?? [:]
        self.openedAfterCleanShutdown = clean
    }

    /// The durable summary of a partition's segments, nil when none is recorded.
    func summary(of partition: TopicPartition) -> [SegmentSummary]? { entries[partition] }

    /// Records a partition's durable summary, written at the next `writeIfChanged`.
    func update(_ partition: TopicPartition, _ summary: [SegmentSummary]) {
        guard entries[partition] != summary else { return }
        entries[partition] = summary
        changed = true
    }

    /// Forgets a partition (deleted).
    func remove(_ partition: TopicPartition) {
        guard entries.removeValue(forKey: partition) != nil else { return }
        removedSinceWrite.insert(partition)
        changed = true
    }

    /// Before a partition's directory is created: forgets any summary of an earlier one of
    /// that name and returns whether the file may still hold it (then `writeNow` must run
    /// before the new partition's files exist).
    func forgetBeforeCreating(_ partition: TopicPartition) -> Bool {
        remove(partition)
        return removedSinceWrite.contains(partition)
    }

    /// Writes the checkpoint when a summary changed since the last write.
    func writeIfChanged() async {
        guard changed else { return }
        await writeNow()
    }

    /// Writes the checkpoint now. When that fails, removes it: nothing is then trusted
    /// after a crash (slower, never wrong).
    func writeNow() async {
        do { try await write(Self.checkpointName) } catch {
            logger.warning("could not write the recovery checkpoint; a restart after a crash validates every partition in full",
                           metadata: ["error": "\(error)"])
            let path = directory + "/" + Self.checkpointName, directory = directory
            try? await committer.run {
                try FileIO.remove(path)
                try FileIO.syncDirectory(directory)
            }
        }
    }

    /// Writes the clean-shutdown record: every summary, for the next open to trust.
    func writeCleanShutdown() async throws {
        try await write(Self.cleanShutdownName)
    }

    /// One write at a time, in order, each with the summaries as they are when it starts.
    private func write(_ name: String) async throws {
        while writing { await withCheckedContinuation { waiting.append($0) } }
        writing = true
        defer {
            writing = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        changed = false
        let removed = removedSinceWrite
        removedSinceWrite = []
        let bytes = SummaryFile.encode(entries)
        let path = directory + "/" + name, directory = directory
        do {
            try await committer.run { try FileIO.writeAtomically(bytes, to: path, directory: directory) }
        } catch {
            changed = true
            removedSinceWrite.formUnion(removed)
            throw error
        }
    }
}
