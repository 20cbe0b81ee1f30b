import Foundation
import Logging
import NIOCore
import SluiceKernel

/// Settings every partition log of a storage shares.
struct SegmentLogOptions: Sendable {
    var indexIntervalBytes: Int
    var flush: FlushPolicy
    /// Wall clock for segment age (`segmentMs`); injectable for tests.
    var clock: @Sendable () -> Date
    var nowMilliseconds: Int64 { Int64((clock().timeIntervalSince1970 * 1000).rounded(.down)) }
    /// The log cleaner's memory, throttle and one-at-a-time gate, shared by every partition.
    var cleaner = CleanerResources()
    /// The open `.log` descriptors of every partition (`maxOpenFiles`).
    var files: DescriptorCache
    /// The storage-wide durable summaries every partition reports to.
    var checkpoints: RecoveryCheckpoint
    /// Reads shorter than this (bytes) are copied into memory rather than returned as a
    /// file region for `sendfile`. A fetch across thousands of partitions then holds no
    /// descriptor per partition until its response is written, whatever the descriptor
    /// cache's bound, and a `pread` of a few kilobytes costs less than the `sendfile` it
    /// replaces. A response's descriptors are then at most `fetch.max.bytes` / this.
    var smallestFileRegion = Self.defaultSmallestFileRegion
    static let defaultSmallestFileRegion = 64 * 1024
}

/// The log of one topic-partition in `<directory>/<topic>-<partition>/`: segments in
/// offset order, the last one active.
///
/// Writers (append, truncate, retention, close) run one at a time in arrival order:
/// an append waiting for its fsync must not see the segments change under it. Reads run
/// alongside them.
actor SegmentPartitionLog: PartitionLog {
    nonisolated let topicPartition: TopicPartition
    let directory: String
    var config: PartitionLogConfig
    let options: SegmentLogOptions
    let committer: GroupCommitter
    let logger: Logger
    let checkpoint: PartitionCheckpoint
    /// Oldest first, never empty while open.
    var segments: [LogSegment]
    var closed = false
    /// Appends (and truncations) so far, and how many of them an fsync has covered.
    var writeGeneration: UInt64 = 0
    var syncedGeneration: UInt64 = 0
    /// The fsync of the segments rolled so far, running in the background.
    var sealing: Task<Void, Never>?
    /// Truncations so far: a flush or seal that started before one records nothing.
    var truncations: UInt64 = 0
    /// The log start set by DeleteRecords, as stored in `log-start-offset` (0 when never set).
    var logStartFloor: Int64
    /// The cleaner checkpoint (`cleaner-checkpoint`): everything below is compacted.
    var cleanedUpTo: Int64 = 0
    /// The earliest delete horizon stamped on a kept tombstone's batch.
    var earliestDeleteHorizon: Int64?
    /// A clean of this partition is running.
    var cleaning = false
    private var writerBusy = false
    private var writerQueue: [CheckedContinuation<Void, Never>] = []

    /// Opens (creating if needed) the partition directory and loads its segments: those
    /// its durable summary vouches for without reading them, the rest recovered (see
    /// `PartitionLoader`). Also returns what the load read.
    static func open(_ partition: TopicPartition, in root: String, summary: [SegmentSummary]?, config: PartitionLogConfig,
                     options: SegmentLogOptions, committer: GroupCommitter,
                     logger: Logger) throws -> (log: SegmentPartitionLog, read: PartitionLoader.Read) {
        let directory = root + "/" + partition.description
        var isDirectory: ObjCBool = false
        let created = !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
        if created {
            guard mkdir(directory, 0o755) == 0 || errno == EEXIST else { throw FileIO.error("mkdir", path: directory) }
            try FileIO.syncDirectory(root)
        }
        let checkpoint = PartitionCheckpoint(directory: directory)
        try CleanerSwap.recover(directory: directory, logger: logger)
        let cleaner = CleanerCheckpoint.read(directory: directory)
        let loader = PartitionLoader(directory: directory, indexIntervalBytes: options.indexIntervalBytes,
                                     now: options.nowMilliseconds, logger: logger, cleanedUpTo: cleaner.cleanedUpTo)
        let loaded: PartitionLoader.Outcome
        if let summary {
            loaded = try loader.load(.summary(summary))
        } else {
            // A directory written before storage-wide summaries (or one the checkpoint lost).
            let clean = checkpoint.hasLegacyCleanShutdownMarker
            loaded = try loader.load(.legacy(cleanShutdown: clean, recoveryPoint: checkpoint.readLegacyRecoveryPoint()))
            try checkpoint.removeLegacyFiles()
        }
        let log = SegmentPartitionLog(partition, directory: directory, config: config, options: options, committer: committer,
                                      logger: logger, checkpoint: checkpoint, segments: loaded.segments,
                                      logStartFloor: checkpoint.readLogStartOffset(), cleaner: cleaner)
        return (log, PartitionLoader.Read(created: created, recoveredSegments: loaded.recoveredSegments, scannedBytes: loaded.scannedBytes))
    }

    private init(_ partition: TopicPartition, directory: String, config: PartitionLogConfig, options: SegmentLogOptions,
                 committer: GroupCommitter, logger: Logger, checkpoint: PartitionCheckpoint, segments: [LogSegment],
                 logStartFloor: Int64, cleaner: CleanerCheckpoint) {
        self.topicPartition = partition
        self.directory = directory
        self.config = config
        self.options = options
        self.committer = committer
        self.logger = logger
        self.checkpoint = checkpoint
        self.segments = segments
        self.logStartFloor = logStartFloor
        self.cleanedUpTo = cleaner.cleanedUpTo
        self.earliestDeleteHorizon = cleaner.deleteHorizon >= 0 ? cleaner.deleteHorizon : nil
    }

    /// The durable summaries of the segments, oldest first (those with one).
    var durableSummary: [SegmentSummary] { segments.compactMap(\.durable) }

    /// Reports the durable summary to the storage's checkpoint (written after the flush round).
    func publishDurableSummary() async {
        await options.checkpoints.update(topicPartition, durableSummary)
    }

    /// The larger of the first segment's base and the DeleteRecords floor, capped at the
    /// log end (a crash may have lost a tail the floor had reached).
    var logStartOffset: Int64 { min(max(segments.first!.baseOffset, logStartFloor), logEndOffset) }
    var logEndOffset: Int64 { segments.last!.nextOffset }
    var active: LogSegment { segments.last! }

    func checkOpen() throws {
        if closed { throw StorageError.closed(topicPartition) }
    }

    /// New segment settings from a reopen with changed topic configs.
    func update(_ config: PartitionLogConfig) { self.config = config }

    // MARK: Appending

    func append(_ batches: [RecordBatch]) async throws -> LogAppendInfo {
        try checkOpen()
        await acquireWriter()
        defer { releaseWriter() }
        try checkOpen()
        let first = logEndOffset
        guard !batches.isEmpty else {
            return LogAppendInfo(firstOffset: first, lastOffset: first - 1, logEndOffset: first, logStartOffset: logStartOffset)
        }
        var baseOffsets: [Int64] = []
        baseOffsets.reserveCapacity(batches.count)
        var next = first
        for batch in batches {
            baseOffsets.append(next)
            next += Int64(batch.lastOffsetDelta) + 1
        }
        try await rollIfNeeded(incomingBytes: batches.reduce(0) { $0 + $1.byteCount }, lastOffset: next - 1)
        let segment = active
        let segmentFile = try await file(of: segment)
        let previousSize = segment.size
        try segment.append(batches, firstOffsets: baseOffsets, file: segmentFile)
        writeGeneration += 1
        if options.flush == .always {
            do {
                try await syncActive()
            } catch {
                // Not known durable: take it back so the caller's retry does not duplicate it.
                try? segment.truncate(at: previousSize, offset: first, file: segmentFile)
                throw error
            }
        }
        return LogAppendInfo(firstOffset: first, lastOffset: next - 1, logEndOffset: next, logStartOffset: logStartOffset)
    }

    private func rollIfNeeded(incomingBytes: Int, lastOffset: Int64) async throws {
        let segment = active
        guard !segment.isEmpty else { return }
        let now = options.nowMilliseconds
        let full = segment.size + Int64(incomingBytes) > Int64(config.segmentBytes)
        let old = now - segment.rollTimestamp >= config.segmentMs
        guard full || old || !segment.canHold(upTo: lastOffset) else { return }
        let handles = try segment.prepareSeal(file: try await file(of: segment))
        let summary = try segment.summary()
        let next = try LogSegment.create(baseOffset: segment.nextOffset, directory: directory,
                                         indexIntervalBytes: options.indexIntervalBytes, now: now)
        segments.append(next)
        sealInBackground(handles, then: summary)
    }

    /// Fsyncs a rolled segment off the append path (under `never` it can hold a whole
    /// segment of dirty pages), then records its final state as durable. Until then a
    /// crash validates the part of it written after its last flush.
    private func sealInBackground(_ handles: [LogFileHandle], then summary: SegmentSummary) {
        let previous = sealing
        let truncations = truncations
        sealing = Task {
            await previous?.value
            do {
                try await committer.sync(handles)
                await sealed(summary, truncations: truncations)
            } catch {
                logger.error("fsync of a rolled segment failed; it is recovered after a crash", metadata: [
                    "partition": "\(topicPartition)", "error": "\(error)",
                ])
            }
        }
    }

    private func sealed(_ summary: SegmentSummary, truncations: UInt64) async {
        // A truncation since the roll may have cut the segment: it recorded its own state.
        // (`close` waits for the seals, so they may complete while it runs.)
        guard truncations == self.truncations,
              let segment = segments.first(where: { $0.baseOffset == summary.baseOffset }) else { return }
        segment.noteIndexesSynced()
        segment.durable = summary
        await publishDurableSummary()
    }

    // MARK: Durability

    func flush() async throws {
        try checkOpen()
        await sealing?.value
        try await syncActive(recording: true)
    }

    /// For the storage's periodic flush: under `interval`, fsyncs what was written since the
    /// last one (waiting for rolled segments' fsyncs); under `always` (every append already
    /// fsynced), the index entries. Either way it then records the state as durable.
    func flushIfDirty() async throws {
        guard !closed else { return }
        // Segments rolled since the last round are part of what this one makes durable.
        await sealing?.value
        let segment = active
        guard writeGeneration != syncedGeneration || segment.durable?.size != segment.size else { return }
        try await syncActive(recording: true)
    }

    /// Fsyncs the active segment. `recording`: its index entries too, and then its state
    /// as it was before the fsync becomes its durable summary.
    private func syncActive(recording: Bool = false) async throws {
        let generation = writeGeneration
        let truncations = truncations
        let segment = active
        var files = [try await file(of: segment)]
        var summary: SegmentSummary?
        if recording, !closed, segment === active, truncations == self.truncations {
            // No suspension from here to the fsync's start: the summary is what it covers.
            files += try segment.persistIndexesForSync()
            summary = try segment.summary()
        }
        guard generation != syncedGeneration || files.count > 1 || (summary != nil && summary != segment.durable) else { return }
        try await committer.sync(files)
        syncedGeneration = max(syncedGeneration, generation)
        guard let summary, !closed, truncations == self.truncations else { return }
        if files.count > 1 { segment.noteIndexesSynced() }
        // A seal that completed meanwhile recorded more.
        guard summary.size >= segment.durable?.size ?? 0 else { return }
        segment.durable = summary
        await publishDurableSummary()
    }

    /// Seals the active segment and records every segment's final state as durable, for
    /// the storage's clean-shutdown record, so the next open reads nothing. Later calls
    /// throw `closed`.
    func close() async throws {
        guard !closed else { return }
        await acquireWriter()
        defer { releaseWriter() }
        guard !closed else { return }
        closed = true
        await sealing?.value
        let segment = active
        let files = options.files, slots = segments.map(\.slot)
        let segmentFile = try await file(of: segment)
        // A write that failed and could not be cut back leaves bytes past the segment end.
        if try FileIO.size(segmentFile.descriptor, path: segment.logPath) != segment.size {
            try FileIO.truncate(segmentFile.descriptor, to: segment.size, path: segment.logPath)
        }
        try await committer.sync(try segment.prepareSeal(file: segmentFile))
        segment.noteIndexesSynced()
        segment.durable = try segment.summary()
        await files.forget(slots)
        await publishDurableSummary()
        segments = []
    }

    /// Closes without sealing: the partition's files are about to be removed.
    func closeForDeletion() async {
        await acquireWriter()
        defer { releaseWriter() }
        closed = true
        await sealing?.value
        await options.files.forget(segments.map(\.slot))
        segments = []
    }

    // MARK: Descriptors

    /// The open `.log` descriptor of `segment`, from the storage's cache (opening it when
    /// evicted). Hold it for the whole operation: the cache may evict it meanwhile, and
    /// it stays open until the last holder lets go.
    func file(of segment: LogSegment) async throws -> LogFileHandle {
        if let open = segment.cachedFile() { return open }
        let open = try await options.files.open(segment.slot)
        segment.openFile = open
        return open
    }

    /// Forgets the descriptors of segments whose files were just deleted.
    func forgetFiles(of removed: [LogSegment]) async {
        guard !removed.isEmpty else { return }
        await options.files.forget(removed.map(\.slot))
    }

    // MARK: One writer at a time

    func acquireWriter() async {
        guard writerBusy else {
            writerBusy = true
            return
        }
        await withCheckedContinuation { writerQueue.append($0) }
    }

    func releaseWriter() {
        if writerQueue.isEmpty {
            writerBusy = false
        } else {
            writerQueue.removeFirst().resume()
        }
    }
}
