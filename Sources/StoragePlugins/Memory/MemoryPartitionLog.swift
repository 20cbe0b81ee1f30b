import Foundation
import NIOCore
import SluiceKernel

/// One partition's log in memory, organised in segments like a file-backed log so that
/// retention deletes whole segments and never the active one.
public actor MemoryPartitionLog: PartitionLog {
    public nonisolated let topicPartition: TopicPartition
    let config: PartitionLogConfig
    /// Memory for the cleaner's key → offset map, in bytes.
    let cleanerOffsetMapBytes: Int

    struct Segment {
        var baseOffset: Int64
        var createdAt: Date
        var batches: [RecordBatch] = []
        var bytes = 0
        var maxTimestamp = Int64.min
        /// The aborted transactions whose abort marker is in this segment, in marker order.
        var aborted: [AbortedTransactionEntry] = []
        var nextOffset: Int64 { batches.last.map { $0.lastOffset + 1 } ?? baseOffset }

        mutating func add(_ batch: RecordBatch) {
            batches.append(batch)
            bytes += batch.byteCount
            maxTimestamp = max(maxTimestamp, batch.maxTimestamp)
        }
    }

    var segments: [Segment]
    private var closed = false
    /// The cleaner checkpoint: everything before it has been compacted.
    var cleanerCheckpoint: Int64 = 0
    /// The earliest delete horizon stamped on a kept batch that still holds a tombstone.
    var earliestDeleteHorizon: Int64?
    /// The log start set by `advanceLogStart` (DeleteRecords); the log start is the larger
    /// of it and the first kept batch, capped at the log end.
    private var logStartFloor: Int64 = 0
    /// The kernel's producer-state scan start (`storeProducerStateScanStart`).
    private var scanStart: Int64?

    init(_ partition: TopicPartition, config: PartitionLogConfig, cleanerOffsetMapBytes: Int = MemoryLogStorage.defaultCleanerOffsetMapBytes) {
        self.topicPartition = partition
        self.config = config
        self.cleanerOffsetMapBytes = cleanerOffsetMapBytes
        self.segments = [Segment(baseOffset: 0, createdAt: Date())]
    }

    /// The first segment's base offset (compaction may empty the front of the log but
    /// never moves its start), or the DeleteRecords floor when higher, capped at the log end.
    var logStartOffset: Int64 { min(max(segments.first!.baseOffset, logStartFloor), logEndOffset) }
    var logEndOffset: Int64 { segments.last!.nextOffset }

    func ensureOpen() throws {
        if closed { throw StorageError.closed(topicPartition) }
    }

    public func append(_ batches: [RecordBatch]) async throws -> LogAppendInfo {
        try ensureOpen()
        let first = logEndOffset
        var next = first
        for var batch in batches {
            batch.setBaseOffset(next)
            next = batch.lastOffset + 1
            let active = segments[segments.count - 1]
            let age = Int64(Date().timeIntervalSince(active.createdAt) * 1000)
            if !active.batches.isEmpty && (active.bytes + batch.byteCount > config.segmentBytes || age >= config.segmentMs) {
                segments.append(Segment(baseOffset: batch.baseOffset, createdAt: Date()))
            }
            segments[segments.count - 1].add(batch)
        }
        return LogAppendInfo(firstOffset: first, lastOffset: next - 1, logEndOffset: next, logStartOffset: logStartOffset)
    }

    public func read(from offset: Int64, maxBytes: Int, maxOffset: Int64?, minOneBatch: Bool) async throws -> LogReadResult {
        try ensureOpen()
        guard offset >= logStartOffset && offset <= logEndOffset else {
            throw StorageError.offsetOutOfRange(requested: offset, logStartOffset: logStartOffset, logEndOffset: logEndOffset)
        }
        let limit = maxOffset ?? Int64.max
        var out = ByteBuffer()
        var taken = 0
        scan: for segment in segments where segment.nextOffset > offset {
            for batch in segment.batches where batch.lastOffset >= offset {
                guard batch.baseOffset < limit else { break scan }
                let fits = taken + batch.byteCount <= maxBytes
                guard fits || (minOneBatch && taken == 0) else { break scan }
                var bytes = batch.buffer
                out.writeBuffer(&bytes)
                taken += batch.byteCount
            }
        }
        return LogReadResult(payload: .bytes(out), logStartOffset: logStartOffset, logEndOffset: logEndOffset)
    }

    public func batch(atOrAfterTimestamp timestamp: Int64) async throws -> LogBatchPosition? {
        try ensureOpen()
        for segment in segments where segment.maxTimestamp >= timestamp {
            if let batch = segment.batches.first(where: { $0.maxTimestamp >= timestamp }) { return Self.position(batch) }
        }
        return nil
    }

    public func batchWithMaxTimestamp() async throws -> LogBatchPosition? {
        try ensureOpen()
        let all = segments.flatMap(\.batches)
        // The first batch holding the largest timestamp, as Kafka reports it.
        guard let best = all.enumerated().max(by: { ($0.element.maxTimestamp, $1.offset) < ($1.element.maxTimestamp, $0.offset) }) else { return nil }
        return Self.position(best.element)
    }

    private static func position(_ batch: RecordBatch) -> LogBatchPosition {
        LogBatchPosition(baseOffset: batch.baseOffset, lastOffset: batch.lastOffset, maxTimestamp: batch.maxTimestamp)
    }

    public func offsets() async throws -> LogOffsets {
        try ensureOpen()
        return LogOffsets(logStartOffset: logStartOffset, logEndOffset: logEndOffset,
                          sizeBytes: Int64(segments.reduce(0) { $0 + $1.bytes }))
    }

    public func truncate(to offset: Int64) async throws {
        try ensureOpen()
        guard offset < logEndOffset else { return }
        cleanerCheckpoint = min(cleanerCheckpoint, offset)
        if offset <= logStartOffset {
            segments = [Segment(baseOffset: offset, createdAt: Date())]
            logStartFloor = offset
            return
        }
        guard segments.contains(where: { $0.batches.contains { $0.baseOffset == offset } }) else {
            throw StorageError.notBatchBoundary(offset: offset)
        }
        segments = segments.filter { $0.baseOffset < offset }.map { segment in
            var kept = Segment(baseOffset: segment.baseOffset, createdAt: segment.createdAt)
            for batch in segment.batches where batch.baseOffset < offset { kept.add(batch) }
            kept.aborted = segment.aborted.filter { $0.lastOffset < offset }
            return kept
        }
    }

    public func applyRetention(_ policy: RetentionPolicy, now: Date) async throws -> RetentionResult {
        try ensureOpen()
        let before = logStartOffset
        var deleted: Int64 = 0
        var total = Int64(segments.reduce(0) { $0 + $1.bytes })
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        while segments.count > 1 {
            let oldest = segments[0]
            let expired = policy.retentionMs.map { nowMs - oldest.maxTimestamp > $0 } ?? false
            let oversized = policy.retentionBytes.map { total - Int64(oldest.bytes) >= $0 } ?? false
            guard expired || oversized, oldest.nextOffset <= policy.firstOffsetToKeep ?? Int64.max else { break }
            segments.removeFirst()
            total -= Int64(oldest.bytes)
            deleted += Int64(oldest.bytes)
        }
        return RetentionResult(previousLogStartOffset: before, logStartOffset: logStartOffset, deletedBytes: deleted)
    }

    public func flush() async throws { try ensureOpen() }

    public func advanceLogStart(to offset: Int64) async throws -> Int64 {
        try ensureOpen()
        guard offset <= logEndOffset else {
            throw StorageError.offsetOutOfRange(requested: offset, logStartOffset: logStartOffset, logEndOffset: logEndOffset)
        }
        guard offset > logStartOffset else { return logStartOffset }
        logStartFloor = offset
        // Whole segments below the new start go; the active one stays.
        while segments.count > 1, segments[1].baseOffset <= offset { segments.removeFirst() }
        return logStartOffset
    }

    public func truncateFully(startingAt offset: Int64) async throws {
        try ensureOpen()
        segments = [Segment(baseOffset: offset, createdAt: Date())]
        logStartFloor = offset
        cleanerCheckpoint = offset
    }

    public func recordAbortedTransaction(_ entry: AbortedTransactionEntry) async throws {
        try ensureOpen()
        guard let index = segments.lastIndex(where: { $0.baseOffset <= entry.lastOffset }), entry.lastOffset < logEndOffset,
              entry.lastOffset >= logStartOffset else {
            throw StorageError.offsetOutOfRange(requested: entry.lastOffset, logStartOffset: logStartOffset, logEndOffset: logEndOffset)
        }
        guard !segments[index].aborted.contains(where: { $0.producerId == entry.producerId && $0.lastOffset == entry.lastOffset }) else { return }
        segments[index].aborted.append(entry)
        segments[index].aborted.sort { $0.lastOffset < $1.lastOffset }
    }

    public func abortedTransactions(from offset: Int64, upTo end: Int64) async throws -> [AbortedTransactionEntry] {
        try ensureOpen()
        guard end > offset else { return [] }
        // Every segment from the one holding `offset`: a transaction that began before
        // `end` may have its marker in any later one.
        return segments.filter { $0.nextOffset > offset }.flatMap { $0.aborted.filter { $0.overlaps(from: offset, upTo: end) } }
    }

    public func storeProducerStateScanStart(_ offset: Int64) async throws {
        try ensureOpen()
        scanStart = offset
    }

    public func producerStateScanStart() async throws -> Int64? {
        try ensureOpen()
        return scanStart
    }

    func close() { closed = true }
}
