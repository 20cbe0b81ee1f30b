import Dispatch
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import SluiceKernel

/// Sinks one topic-partition into its directory, one fetch at a time.
///
/// The order that makes it exactly-once: records are written to the current file, the
/// file is fsynced, and only then is the position (next offset, file, byte length)
/// stored. After a crash the stored position says which bytes are committed; recovery
/// cuts the rest off and fetches from the stored offset again (PartitionSink+Recovery).
///
/// Graceful shutdown flushes and stores the position; task cancellation stops at once,
/// as a crash would, leaving the tail for recovery.
actor PartitionSink {
    nonisolated let topicPartition: TopicPartition
    let reader: any RecordReader
    let topics: any TopicAdministration
    let settings: SinkSettings
    let positions: PositionStore
    let directory: SinkDirectory
    let formatter: RecordFormatter
    let logger: Logger
    let recordsWritten: Counter
    let bytesWritten: Counter
    let errors: Counter
    /// Where fsyncs run, off the cooperative pool.
    let syncQueue: DispatchQueue

    /// The last position stored.
    var committed = SinkPosition(nextOffset: 0, file: nil, fileBytes: 0, fileCreatedMs: 0)
    /// The offset of the next record to format.
    var nextOffset: Int64 = 0
    /// The file records go to; nil until the next record opens one.
    var file: SinkFile?
    /// Formatted lines not yet written to `file`.
    var pending: [UInt8] = []
    /// Whether records or offsets moved since the last stored position.
    var uncommitted = false
    var lastFlush = ContinuousClock.now
    /// Set by a stored position, to reset the retry backoff.
    var madeProgress = false

    init(_ tp: TopicPartition, services: ConnectorServices, settings: SinkSettings, logger: Logger) {
        topicPartition = tp
        reader = services.reader
        topics = services.topics
        self.settings = settings
        positions = PositionStore(store: services.positions, connector: settings.connectorName)
        directory = settings.directory(for: tp)
        formatter = RecordFormatter(format: settings.format, topicPartition: tp)
        syncQueue = DispatchQueue(label: "sluice.file-sink.\(settings.connectorName).\(tp)")
        var logger = logger
        logger[metadataKey: "partition"] = "\(tp)"
        self.logger = logger
        let dimensions = [("connector", settings.connectorName), ("topic", tp.topic), ("partition", "\(tp.partition)")]
        recordsWritten = Counter(label: "sluice_file_sink_records_total", dimensions: dimensions)
        bytesWritten = Counter(label: "sluice_file_sink_bytes_total", dimensions: dimensions)
        errors = Counter(label: "sluice_file_sink_errors_total", dimensions: dimensions)
    }

    /// Sinks until graceful shutdown (flushing first), cancellation, or the partition's
    /// topic being deleted. Errors are logged and retried with backoff from the last
    /// stored position, so nothing is lost and nothing is written twice.
    ///
    /// Recovery runs once even when shutdown has already begun, so that a sink stopped
    /// right after a crash still leaves files holding exactly the committed records.
    func run() async {
        var backoff = RetryBackoff(initial: settings.retryBackoff.initial, maximum: settings.retryBackoff.max)
        var firstAttempt = true
        while !Task.isCancelled && (firstAttempt || !Task.isShuttingDownGracefully) {
            firstAttempt = false
            do throws(FileSinkError) {
                try await recover()
                try await sink()
                return
            } catch {
                closeFile()
                if Task.isCancelled { return }
                if madeProgress { backoff.reset() }
                madeProgress = false
                if await partitionIsGone() { return }
                errors.increment()
                let delay = backoff.next()
                logger.error("file sink stalled, retrying in \(delay): \(error)")
                _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            }
        }
        closeFile()
    }

    /// The fetch-write-flush loop.
    private func sink() async throws(FileSinkError) {
        while true {
            if Task.isCancelled {
                if uncommitted {
                    logger.info("file sink cancelled with records \(committed.nextOffset)..<\(nextOffset) written but not committed; the next start cuts them off and writes them again")
                }
                return
            }
            if Task.isShuttingDownGracefully {
                try await flush()
                closeFile()
                logger.debug("file sink stopped", metadata: ["nextOffset": "\(nextOffset)"])
                return
            }
            let wait = uncommitted ? max(.zero, lastFlush + settings.flushInterval - .now) : settings.idleWait
            let request = FetchRequest(partitions: [.init(topicPartition, offset: nextOffset, maxBytes: settings.fetchMaxBytes)],
                                       maxWait: wait, minBytes: 1, maxBytes: settings.fetchMaxBytes)
            let reader = reader
            let result = await cancelWhenGracefulShutdown { await reader.fetch(request) }.first?.result
            switch result {
            case .success(let read)?:
                try await write(read.payload)
            case .failure(.offsetOutOfRange(_, let requested, let start, let end))?:
                try await outOfRange(requested: requested, logStart: start, logEnd: end)
            case .failure(let error)?:
                throw .fetch(topicPartition, reason: error.description)
            case nil:
                throw .fetch(topicPartition, reason: "the broker returned no result for the partition")
            }
            if uncommitted && ContinuousClock.now - lastFlush >= settings.flushInterval {
                try await flush()
            }
        }
    }

    /// Formats and writes the records of `payload` from `nextOffset` on.
    private func write(_ payload: LogPayload) async throws(FileSinkError) {
        guard payload.byteCount > 0 else { return }
        let batches: [RecordBatch]
        do {
            batches = try RecordBatch.parse(payload.load())
        } catch {
            throw .malformedBatch(topicPartition, offset: nextOffset, reason: "\(error)")
        }
        var records = 0
        let nowMs = settings.nowMs()
        for batch in batches where batch.lastOffset >= nextOffset {
            if !batch.isControl {
                // Values only: views into the fetched bytes, copied once, into the lines.
                let valuesOnly = formatter.format == .value && batch.compression == .none
                let views: [RecordView], decoded: [Record]
                do {
                    views = valuesOnly ? try BatchDecoder.views(of: batch, in: topicPartition) : []
                    decoded = valuesOnly ? [] : try BatchDecoder.records(of: batch, in: topicPartition)
                } catch {
                    // Commit the records before the bad batch, so the partition waits
                    // exactly at it.
                    recordsWritten.increment(by: records)
                    try await flush()
                    throw error
                }
                for view in views where view.offset >= nextOffset {
                    try await append(offset: view.offset, nowMs: nowMs) { formatter.appendValue(view.value, to: &$0) }
                    records += 1
                }
                for record in decoded where record.offset >= nextOffset {
                    try await append(offset: record.offset, nowMs: nowMs) { formatter.append(record, to: &$0) }
                    records += 1
                }
            }
            nextOffset = batch.lastOffset + 1
            uncommitted = true
        }
        try writePending()
        recordsWritten.increment(by: records)
    }

    /// Adds one record's line, first rotating when the line would take the current file
    /// past `rotateBytes` or the file is older than `rotateMs` at `nowMs` (the time the
    /// fetch was processed, milliseconds since the epoch).
    private func append(offset: Int64, nowMs: Int64, line: (inout [UInt8]) -> Void) async throws(FileSinkError) {
        let start = pending.count
        line(&pending)
        if let file {
            let before = file.size + Int64(start)
            let tooBig = before > 0 && before + Int64(pending.count - start) > settings.rotateBytes
            let tooOld = settings.rotateMs.map { before > 0 && nowMs - file.createdMs >= $0 } ?? false
            if tooBig || tooOld {
                try file.append(pending[..<start])
                pending.removeFirst(start)
                try await file.sync(on: syncQueue)
                closeFile()
            }
        }
        if file == nil {
            file = try SinkFile.open(SinkDirectory.fileName(firstOffset: offset), in: directory.path, createdMs: nowMs)
        }
        if pending.count >= settings.fetchMaxBytes { try writePending() }
    }

    /// Writes the formatted lines to the current file (page cache; not yet durable).
    func writePending() throws(FileSinkError) {
        guard !pending.isEmpty, let file else { return }
        try file.append(pending[...])
        bytesWritten.increment(by: pending.count)
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes, fsyncs, then stores the position: the step that commits records.
    func flush() async throws(FileSinkError) {
        try writePending()
        guard uncommitted else { return }
        if let file { try await file.sync(on: syncQueue) }
        let position = SinkPosition(nextOffset: nextOffset, file: file?.name, fileBytes: file?.size ?? 0,
                                    fileCreatedMs: file?.createdMs ?? 0)
        try await positions.store(position, for: topicPartition)
        committed = position
        uncommitted = false
        madeProgress = true
        lastFlush = .now
    }

    func closeFile() {
        file?.close()
        file = nil
    }
}
