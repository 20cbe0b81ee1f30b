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
    /// Durable offset as last written to `recovery-point`.
    var recoveryPoint: Int64
    /// The fsync of the segments rolled so far, running in the background.
    var sealing: Task<Void, Never>?
    /// Truncations so far: a background seal does not move the recovery point past one.
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

    /// Opens (creating if needed) the partition directory and loads its segments,
    /// recovering after an unclean stop.
    static func open(_ partition: TopicPartition, in root: String, config: PartitionLogConfig, options: SegmentLogOptions,
                     committer: GroupCommitter, logger: Logger) throws -> SegmentPartitionLog {
        let directory = root + "/" + partition.description
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard mkdir(directory, 0o755) == 0 || errno == EEXIST else { throw FileIO.error("mkdir", path: directory) }
            try FileIO.syncDirectory(root)
        }
        let checkpoint = PartitionCheckpoint(directory: directory)
        let clean = checkpoint.hasCleanShutdownMarker
        try CleanerSwap.recover(directory: directory, logger: logger)
        let cleaner = CleanerCheckpoint.read(directory: directory)
        let loader = PartitionLoader(directory: directory, indexIntervalBytes: options.indexIntervalBytes,
                                     now: options.nowMilliseconds, logger: logger, cleanedUpTo: cleaner.cleanedUpTo)
        let segments = try loader.load(cleanShutdown: clean, recoveryPoint: checkpoint.readRecoveryPoint())
        let logEnd = segments.last!.nextOffset
        if clean {
            try checkpoint.removeCleanShutdownMarker()
        } else {
            // Recovery fsynced what it validated.
            try checkpoint.writeRecoveryPoint(logEnd)
        }
        return SegmentPartitionLog(partition, directory: directory, config: config, options: options, committer: committer,
                                   logger: logger, checkpoint: checkpoint, segments: segments, recoveryPoint: logEnd,
                                   logStartFloor: checkpoint.readLogStartOffset(), cleaner: cleaner)
    }

    private init(_ partition: TopicPartition, directory: String, config: PartitionLogConfig, options: SegmentLogOptions,
                 committer: GroupCommitter, logger: Logger, checkpoint: PartitionCheckpoint, segments: [LogSegment],
                 recoveryPoint: Int64, logStartFloor: Int64, cleaner: CleanerCheckpoint) {
        self.topicPartition = partition
        self.directory = directory
        self.config = config
        self.options = options
        self.committer = committer
        self.logger = logger
        self.checkpoint = checkpoint
        self.segments = segments
        self.recoveryPoint = recoveryPoint
        self.logStartFloor = logStartFloor
        self.cleanedUpTo = cleaner.cleanedUpTo
        self.earliestDeleteHorizon = cleaner.deleteHorizon >= 0 ? cleaner.deleteHorizon : nil
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
        let next = try LogSegment.create(baseOffset: segment.nextOffset, directory: directory,
                                         indexIntervalBytes: options.indexIntervalBytes, now: now)
        segments.append(next)
        sealInBackground(handles, thenRecoveryPoint: next.baseOffset)
    }

    /// Fsyncs a rolled segment off the append path (under `never` it can hold a whole
    /// segment of dirty pages), then moves the recovery point past it. Seals complete in
    /// roll order, so the recovery point never passes a segment that is not durable; until
    /// it moves, a crash recovers the rolled segment too.
    private func sealInBackground(_ handles: [LogFileHandle], thenRecoveryPoint offset: Int64) {
        let previous = sealing
        let truncations = truncations
        sealing = Task {
            await previous?.value
            do {
                try await committer.sync(handles)
                await sealed(upTo: offset, truncations: truncations)
            } catch {
                logger.error("fsync of a rolled segment failed; it is recovered after a crash", metadata: [
                    "partition": "\(topicPartition)", "error": "\(error)",
                ])
            }
        }
    }

    private func sealed(upTo offset: Int64, truncations: UInt64) async {
        // A truncation since the roll may have cut below `offset`: leave its recovery point.
        guard !closed, truncations == self.truncations, offset > recoveryPoint else { return }
        await moveRecoveryPoint(to: offset)
    }

    /// Records a new recovery point; a failure only means more to scan after a crash.
    func moveRecoveryPoint(to offset: Int64) async {
        guard offset != recoveryPoint else { return }
        recoveryPoint = offset
        let checkpoint = checkpoint, directory = directory
        do {
            try await committer.run {
                try checkpoint.writeRecoveryPoint(offset)
                try FileIO.syncDirectory(directory)
            }
        } catch {
            logger.warning("could not record the recovery point; a restart after a crash will scan more", metadata: [
                "partition": "\(topicPartition)", "error": "\(error)",
            ])
        }
    }

    // MARK: Durability

    func flush() async throws {
        try checkOpen()
        await sealing?.value
        try await syncActive()
    }

    /// For the interval flusher: fsyncs only when something was written since the last one.
    func flushIfDirty() async throws {
        guard !closed, writeGeneration != syncedGeneration else { return }
        try await syncActive()
    }

    private func syncActive() async throws {
        let generation = writeGeneration
        guard generation != syncedGeneration else { return }
        try await committer.sync([try await file(of: active)])
        syncedGeneration = max(syncedGeneration, generation)
    }

    /// Seals the active segment, records the log end as recovery point and leaves the
    /// clean-shutdown marker, so the next open skips recovery. Later calls throw `closed`.
    func close() async throws {
        guard !closed else { return }
        await acquireWriter()
        defer { releaseWriter() }
        guard !closed else { return }
        closed = true
        await sealing?.value
        let segment = active
        let end = logEndOffset
        let files = options.files, slots = segments.map(\.slot)
        defer { segments = [] }
        let segmentFile = try await file(of: segment)
        // A write that failed and could not be cut back leaves bytes past the segment end.
        if try FileIO.size(segmentFile.descriptor, path: segment.logPath) != segment.size {
            try FileIO.truncate(segmentFile.descriptor, to: segment.size, path: segment.logPath)
        }
        try await committer.sync(try segment.prepareSeal(file: segmentFile))
        await files.forget(slots)
        let checkpoint = checkpoint
        try await committer.run {
            try checkpoint.writeRecoveryPoint(end)
            try checkpoint.writeCleanShutdownMarker()
        }
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
