import Foundation
import Logging
import Metrics
import SluiceKernel

/// The `segment-log` storage plugin: one directory per partition under `directory`,
/// holding Kafka-style segment files (see docs/segment-log.md).
///
/// Holds an exclusive lock on `directory` from creation until `close()`; a second
/// storage on the same directory, in this process or another, fails with
/// `StorageError.locked` naming the holder's pid.
public actor SegmentLogStorage: LogStorage {
    /// Segment settings from `segmentBytes` / `segmentMs`.
    public nonisolated let defaultLogConfig: PartitionLogConfig
    /// Retention from `retentionHours` / `retentionBytes`.
    public nonisolated let defaultRetention: RetentionPolicy
    /// None: segment files open lazily through one bounded cache shared by every
    /// partition (`descriptorBudget`), and index files only for the duration of a write.
    public nonisolated var descriptorsPerPartition: Int { 0 }
    /// The descriptor cache's size: `maxOpenFiles`, or less when it did not fit under the
    /// open-file limit at start. Reads and fsyncs in flight may hold a few evicted
    /// descriptors beyond it for their duration.
    public nonisolated var descriptorBudget: Int { options.files.capacity }
    /// Where the partition directories are (absolute path).
    public nonisolated let directory: String
    /// The one data directory, for DescribeLogDirs.
    public nonisolated var dataDirectories: [String] { [directory] }
    private let configuration: SegmentLogStorageFactory.Configuration
    nonisolated let options: SegmentLogOptions
    let logger: Logger
    private let committer = GroupCommitter()
    private var lock: DirectoryLock?
    private var logs: [TopicPartition: SegmentPartitionLog] = [:]
    private var opening: [TopicPartition: Task<(SegmentPartitionLog, PartitionLoader.Read), any Error>] = [:]
    private var flusher: Task<Void, Never>?
    /// What opening partitions read so far (see `recoveryStatistics`).
    var statistics = RecoveryStatistics()
    let metrics = RecoveryMetrics()

    /// Creates the directory if needed and locks it.
    ///
    /// - Parameter clock: the wall clock for segment age (`segmentMs`); tests inject one.
    public init(configuration: SegmentLogStorageFactory.Configuration, directory: URL, logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) throws {
        try self.init(configuration: configuration, directory: directory, logger: logger, clock: clock,
                      smallestFileRegion: SegmentLogOptions.defaultSmallestFileRegion)
    }

    /// - Parameter smallestFileRegion: reads shorter than this many bytes are returned as
    ///   bytes rather than file regions; tests lower it to hold regions of small logs.
    init(configuration: SegmentLogStorageFactory.Configuration, directory: URL, logger: Logger,
         clock: @escaping @Sendable () -> Date, smallestFileRegion: Int) throws {
        let path = directory.standardizedFileURL.path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StorageError.io(path: path, operation: "create directory", errno: EACCES)
        }
        self.lock = try DirectoryLock(directory: path)
        let checkpoints = try RecoveryCheckpoint(directory: path, committer: committer, logger: logger)
        self.directory = path
        self.configuration = configuration
        self.defaultLogConfig = configuration.logConfig
        self.defaultRetention = configuration.retention
        self.options = SegmentLogOptions(
            indexIntervalBytes: configuration.indexIntervalBytes, flush: configuration.flush, clock: clock,
            cleaner: CleanerResources(offsetMapBytes: configuration.cleanerOffsetMapBytes,
                                      throttle: IOThrottle(bytesPerSecond: configuration.cleanerIoBytesPerSecond > 0 ? configuration.cleanerIoBytesPerSecond : nil)),
            files: DescriptorCache(capacity: DescriptorCache.capacity(configured: configuration.maxOpenFiles,
                                                                      limit: OpenFileLimit.current(), logger: logger)),
            checkpoints: checkpoints, smallestFileRegion: smallestFileRegion)
        self.logger = logger
        try Self.removeDeletedLeftovers(in: path)
    }

    deinit { flusher?.cancel() }

    private func checkOpen() throws {
        if lock == nil { throw StorageError.closed(nil) }
    }

    /// Opens `<directory>/<topic>-<partition>/`, creating it when absent and recovering
    /// it after an unclean stop (see docs/segment-log.md). Opening an open partition
    /// returns the same log with `config` applied to its future rolls.
    public func open(_ partition: TopicPartition, config: PartitionLogConfig) async throws -> any PartitionLog {
        try checkOpen()
        if let log = logs[partition] {
            await log.update(config)
            return log
        }
        if let pending = opening[partition] { return try await pending.value.0 }
        let (root, options, committer, logger) = (directory, options, committer, logger)
        let task = Task {
            let checkpoints = options.checkpoints
            let path = root + "/" + partition.description
            var summary: [SegmentSummary]?
            if access(path, F_OK) == 0 {
                summary = await checkpoints.summary(of: partition)
            } else if await checkpoints.forgetBeforeCreating(partition) {
                // The summary of a deleted partition of this name vouches for nothing the new
                // one will hold: it leaves the file before the new files can take its place.
                await checkpoints.writeNow()
            }
            let (log, read) = try SegmentPartitionLog.open(partition, in: root, summary: summary, config: config, options: options,
                                                           committer: committer, logger: logger.with(partition: partition))
            // Opened as part of a batch, its fsyncs are put off: the batch publishes it once they ran.
            if SyncDeferral.current == nil { await log.publishDurableSummary() }
            return (log, read)
        }
        opening[partition] = task
        defer { opening[partition] = nil }
        let (log, read) = try await task.value
        count(read)
        guard lock != nil else {
            try? await log.close()
            throw StorageError.closed(nil)
        }
        logs[partition] = log
        startFlusherIfNeeded()
        return log
    }

    /// Closes the partition's log (later calls on it throw `closed`) and removes its
    /// directory; a partition that was never created is not an error.
    public func delete(_ partition: TopicPartition) async throws {
        try checkOpen()
        if let pending = opening[partition] { _ = try? await pending.value }
        if let log = logs.removeValue(forKey: partition) { await log.closeForDeletion() }
        await options.checkpoints.remove(partition)
        let path = directory + "/" + partition.description
        guard FileManager.default.fileExists(atPath: path) else { return }
        // Renamed first so that a crash part-way through the removal cannot leave a
        // half-deleted partition that looks real.
        let doomed = path + "." + String(UInt64.random(in: 0...UInt64.max), radix: 16) + Self.deletedSuffix
        guard rename(path, doomed) == 0 else { throw FileIO.error("rename", path: path) }
        try FileIO.syncDirectory(directory)
        do { try FileManager.default.removeItem(atPath: doomed) } catch {
            logger.warning("could not remove a deleted partition's files; they are removed at the next start",
                           metadata: ["path": "\(doomed)", "error": "\(error)"])
        }
    }

    /// Directories named `<topic>-<partition>` that hold at least one segment file.
    public func storedPartitions() async throws -> [TopicPartition] {
        try checkOpen()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> TopicPartition? in
            guard let dash = name.lastIndex(of: "-"), let number = Int32(name[name.index(after: dash)...]), number >= 0,
                  TopicConfigs.validateName(String(name[..<dash])) == nil else { return nil }
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + name)) ?? []
            guard files.contains(where: { $0.hasSuffix(SegmentFiles.logSuffix) }) else { return nil }
            return TopicPartition(String(name[..<dash]), number)
        }.sorted()
    }

    /// Closes every log cleanly (sealed, fsynced, clean-shutdown marker) and releases
    /// the directory lock. Reports the first failure after trying every log.
    public func close() async throws {
        guard lock != nil else { return }
        for task in opening.values { _ = try? await task.value }
        // A round under way finishes first: no checkpoint write may follow the clean-shutdown
        // record (or the next owner of the directory).
        let round = flusher
        flusher = nil
        round?.cancel()
        await round?.value
        // Many at once, so that their fsyncs share the group committer's rounds: one after
        // the other, 10,000 partitions took minutes to close.
        let logger = logger
        let firstError = await forEachConcurrently(logs.values.sorted(by: { $0.topicPartition < $1.topicPartition }),
                                       atMost: Self.partitionsSyncedAtOnce) { log in
            do { try await log.close() } catch {
                logger.error("closing \(log.topicPartition) failed; it will be recovered at the next start: \(error)")
                return error
            }
            return nil
        }
        logs = [:]
        await options.files.removeAll()
        // Every log reported its final summary as it closed (a log whose close failed, its
        // last durable one): the next open trusts what still matches and reads nothing else.
        var failure = firstError
        do { try await options.checkpoints.writeCleanShutdown() } catch {
            logger.error("could not write the clean-shutdown record; the next start validates what was written since the last checkpoint: \(error)")
            failure = failure ?? error
        }
        lock = nil
        if let failure { throw failure }
    }

    /// Partitions that `close` and the periodic flush sync at once: enough for the group
    /// committer's rounds to share journal commits, few enough that the descriptors they
    /// hold while waiting (a `.log` the cache may have evicted, and two index files each)
    /// stay well inside `DescriptorCache.reserve`. Unbounded, a flush of 2,000 partitions
    /// on a slow disk held 4,000 descriptors and failed with `EMFILE`.
    static let partitionsSyncedAtOnce = 64

    // MARK: Interval flushing

    /// Under every policy, a periodic task (every `flushIntervalMs`) records the partitions'
    /// durable state in the recovery checkpoint; under `interval` and `always` it first
    /// fsyncs what was written since its last round (under `always`, the index entries).
    private func startFlusherIfNeeded() {
        guard flusher == nil else { return }
        let interval = Duration.milliseconds(configuration.flushIntervalMs)
        flusher = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                await self.flushAll()
            }
        }
    }

    /// Fsyncs every written partition, `partitionsSyncedAtOnce` at a time so that the syncs
    /// share group-commit rounds, then writes the recovery checkpoint once for all of them.
    func flushAll() async {
        let logger = logger
        if configuration.flush != .never {
            _ = await forEachConcurrently(Array(logs.values), atMost: Self.partitionsSyncedAtOnce) { log -> (any Error)? in
                do { try await log.flushIfDirty() } catch {
                    logger.error("background fsync of \(log.topicPartition) failed; recent appends may not be durable: \(error)")
                    return error
                }
                return nil
            }
        }
        await options.checkpoints.writeIfChanged()
    }

    // MARK: Leftovers

    static let deletedSuffix = "-delete"

    private static func removeDeletedLeftovers(in directory: String) throws {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(deletedSuffix) {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }
}

extension Logger {
    fileprivate func with(partition: TopicPartition) -> Logger {
        var logger = self
        logger[metadataKey: "partition"] = "\(partition)"
        return logger
    }
}
