import Foundation
import NIOCore
import SluiceKernel

/// A segment as the cleaner sees it: an immutable prefix of a file.
struct CleanerSource: Sendable {
    let baseOffset: Int64
    let file: LogFileHandle
    /// Bytes to read (the segment's size when the clean started).
    let size: Int64
    let rollTimestamp: Int64
}

/// One new segment written aside by the cleaner, with its index entries.
struct CleanedSegment: Sendable {
    var baseOffset: Int64
    var size: Int64 = 0
    var nextOffset: Int64
    var index: IndexBuilder
    var rollTimestamp: Int64
}

/// The cleaner's work for one partition, run off the partition actor: reads the
/// cleanable segments, writes cleaned ones as `.cleaned` files, fsyncs them and renames
/// them to `.swap`. Appends to the active segment continue meanwhile; the partition
/// swaps the result in afterwards.
struct SegmentCleaner: Sendable {
    let directory: String
    /// Segments in [logStart, firstUncleanable), oldest first.
    let cleanable: [CleanerSource]
    /// Every later segment, the active one included (read for producer ids only).
    let later: [CleanerSource]
    let firstDirty: Int64
    let firstUncleanable: Int64
    let policy: CompactionPolicy
    let nowMs: Int64
    let offsetMapBytes: Int
    let throttle: IOThrottle
    let segmentBytes: Int
    let indexIntervalBytes: Int
    /// The aborted transactions overlapping [log start, firstUncleanable), from the
    /// aborted-transaction index: their data is dropped, and never mapped.
    let aborted: [AbortedTransactionEntry]

    struct Outcome: Sendable {
        var segments: [CleanedSegment]
        /// Base offsets of the old segments replaced: [rangeStart, rangeEnd).
        var rangeStart: Int64
        var rangeEnd: Int64
        var mappedEnd: Int64
        var deleteHorizon: Int64?
        var result: CompactionResult
        var mapMemoryBytes: Int
        /// Offsets of the markers whose transaction has no data left: their entries leave
        /// the aborted-transaction index (before the markers themselves are removed).
        var endedMarkers: Set<Int64>
    }

    func run(dirtyRatio: Double) async throws -> Outcome {
        let started = Date()
        let lastBatchOfProducer = try producerLastBatches()
        // Sized to the dirty section when it is small: it never holds more records than
        // bytes / 7 (the smallest record), and never exceeds the configured memory.
        let dirtyBytes = cleanable.reduce(Int64(0)) { $0 + $1.size }
        let needed = Int(min(Int64(offsetMapBytes), (dirtyBytes / 7 + 1) * Int64(CompactionOffsetMap.bytesPerEntry) * 10 / 9 + 64))
        var map = CompactionOffsetMap(memoryBytes: needed)
        var bytesRead: Int64 = 0
        var mappedEnd = firstUncleanable
        var mappingTransactions = CompactionTransactions(aborted: aborted)
        mapping: for (i, source) in cleanable.enumerated() {
            let end = i + 1 < cleanable.count ? cleanable[i + 1].baseOffset : firstUncleanable
            if end <= firstDirty { continue }
            var stop = false
            try await forEachBatch(source) { batch in
                guard batch.baseOffset >= firstDirty else { return true }
                if !batch.isControl && mappingTransactions.isAborted(batch) { return true }
                guard try BatchCompactor.mapKeys(of: batch, into: &map, codec: policy.codec) else {
                    guard map.count > 0 else { throw StorageError.offsetMapTooSmall(entries: map.capacity, batchRecords: Int(batch.recordCount)) }
                    mappedEnd = batch.baseOffset
                    stop = true
                    return false
                }
                bytesRead += Int64(batch.byteCount)
                return true
            }
            if stop { break mapping }
        }

        var result = CompactionResult(cleaned: true, dirtyRatioBefore: dirtyRatio, cleanedUpTo: mappedEnd)
        var horizon: Int64?
        var transactions = CompactionTransactions(aborted: aborted)
        var endedMarkers: Set<Int64> = []
        var outputs: [CleanedSegment] = []
        var writer: (fd: CInt, path: String)?
        var pending = ByteBuffer()
        func flushPending() throws {
            guard let current = writer, pending.readableBytes > 0 else { return }
            let at = outputs[outputs.count - 1].size - Int64(pending.readableBytes)
            try pending.withUnsafeReadableBytes { try FileIO.write(current.fd, $0, at: at, path: current.path) }
            pending.clear()
        }
        func finishOutput() throws {
            guard let current = writer else { return }
            try flushPending()
            try FileIO.sync(current.fd, path: current.path)
            _ = Foundation.close(current.fd)
            writer = nil
        }
        func startOutput(base: Int64, roll: Int64) throws {
            try finishOutput()
            let path = CleanerSwap.cleanedPath(directory, base)
            let fd = try FileIO.open(path, create: true)
            try FileIO.truncate(fd, to: 0, path: path)
            writer = (fd, path)
            outputs.append(CleanedSegment(baseOffset: base, nextOffset: base, index: IndexBuilder(baseOffset: base, interval: indexIntervalBytes), rollTimestamp: roll))
        }
        let rewritten = cleanable.filter { $0.baseOffset < mappedEnd }
        do {
            for source in rewritten {
                if outputs.isEmpty { try startOutput(base: source.baseOffset, roll: source.rollTimestamp) }
                try await forEachBatch(source) { batch in
                    let outcome = try BatchCompactor.compact(
                        batch, map: map, mappedEnd: mappedEnd, nowMs: nowMs, policy: policy,
                        isProducersLastBatch: batch.producerId >= 0 && lastBatchOfProducer[batch.producerId] == batch.baseOffset,
                        transactions: &transactions)
                    bytesRead += Int64(batch.byteCount)
                    if outcome.transactionDataGone { endedMarkers.insert(batch.baseOffset) }
                    result.count(outcome)
                    if let pendingHorizon = outcome.pendingDeleteHorizon { horizon = min(horizon ?? pendingHorizon, pendingHorizon) }
                    guard let kept = outcome.batch else { return true }
                    let current = outputs[outputs.count - 1]
                    if current.size > 0 && (current.size + Int64(kept.byteCount) > Int64(segmentBytes)
                                            || kept.lastOffset - current.baseOffset > Int64(UInt32.max)) {
                        try startOutput(base: kept.baseOffset, roll: source.rollTimestamp)
                    }
                    let position = outputs[outputs.count - 1].size
                    outputs[outputs.count - 1].index.add(base: kept.baseOffset, maxTimestamp: kept.maxTimestamp, size: kept.byteCount, position: position)
                    outputs[outputs.count - 1].size += Int64(kept.byteCount)
                    outputs[outputs.count - 1].nextOffset = kept.lastOffset + 1
                    var bytes = kept.buffer
                    pending.writeBuffer(&bytes)
                    if pending.readableBytes >= 1 << 20 { try flushPending() }
                    result.bytesWritten += Int64(kept.byteCount)
                    return true
                }
            }
            try finishOutput()
            for output in outputs {
                guard rename(CleanerSwap.cleanedPath(directory, output.baseOffset), CleanerSwap.swapPath(directory, output.baseOffset)) == 0 else {
                    throw FileIO.error("rename", path: CleanerSwap.swapPath(directory, output.baseOffset))
                }
            }
            try FileIO.syncDirectory(directory)
        } catch {
            if let current = writer { _ = Foundation.close(current.fd) }
            for output in outputs {
                try? FileIO.remove(CleanerSwap.cleanedPath(directory, output.baseOffset))
                try? FileIO.remove(CleanerSwap.swapPath(directory, output.baseOffset))
            }
            throw error
        }
        result.bytesRead = bytesRead
        result.segmentsCleaned = rewritten.count
        result.segmentsAfter = outputs.count
        result.durationSeconds = Date().timeIntervalSince(started)
        let rangeEnd = (cleanable.first { $0.baseOffset >= mappedEnd } ?? later.first)?.baseOffset ?? firstUncleanable
        return Outcome(segments: outputs, rangeStart: rewritten.first?.baseOffset ?? firstDirty, rangeEnd: rangeEnd,
                       mappedEnd: mappedEnd, deleteHorizon: horizon, result: result, mapMemoryBytes: map.memoryBytes,
                       endedMarkers: endedMarkers)
    }

    /// Every whole batch of `source`, in order, until `body` returns false. Throttled.
    private func forEachBatch(_ source: CleanerSource, _ body: (RecordBatch) throws -> Bool) async throws {
        var reader = ChunkReader(file: source.file, fileSize: source.size)
        var position: Int64 = 0
        while position < source.size {
            guard let header = try reader.bytes(at: position, count: RecordBatch.headerSize) else { break }
            let size = try RecordBatch.nextBatchSize(header)
            guard let bytes = try reader.bytes(at: position, count: size) else {
                throw StorageError.corrupt(path: source.file.path, detail: "a batch at byte \(position) runs past the segment's end")
            }
            let batch = try RecordBatch.parse(bytes)[0]
            position += Int64(size)
            guard try body(batch) else { return }
            try await throttle.consume(size)
        }
    }

    /// Producer id → base offset of its last batch in the whole log, from batch headers.
    private func producerLastBatches() throws -> [Int64: Int64] {
        var last: [Int64: Int64] = [:]
        var header = [UInt8](repeating: 0, count: RecordBatch.headerSize)
        for source in cleanable + later {
            var position: Int64 = 0
            while position + Int64(RecordBatch.headerSize) <= source.size {
                let read = try header.withUnsafeMutableBytes { try FileIO.read(source.file.descriptor, into: $0, at: position, path: source.file.path) }
                guard read == RecordBatch.headerSize else { break }
                let buffer = ByteBuffer(bytes: header)
                let base: Int64 = buffer.getInteger(at: 0)!
                let length: Int32 = buffer.getInteger(at: 8)!
                let producer: Int64 = buffer.getInteger(at: 43)!
                if producer >= 0 { last[producer] = base }
                position += Int64(length) + Int64(RecordBatch.lengthPrefixSize)
            }
        }
        return last
    }
}

/// Limits the cleaner's reads to `bytesPerSecond` (nil: unlimited), sleeping as needed.
/// Shared by every partition of a storage, like Kafka's cleaner throttler.
actor IOThrottle {
    let bytesPerSecond: Int64?
    private var windowStart = ContinuousClock.now
    private var bytesInWindow: Int64 = 0

    init(bytesPerSecond: Int64?) { self.bytesPerSecond = bytesPerSecond }

    func consume(_ bytes: Int) async throws {
        guard let rate = bytesPerSecond, rate > 0 else { return }
        bytesInWindow += Int64(bytes)
        let elapsed = ContinuousClock.now - windowStart
        let due = Duration.nanoseconds(bytesInWindow * 1_000_000_000 / rate)
        if due > elapsed { try await Task.sleep(for: due - elapsed) }
        if ContinuousClock.now - windowStart > .seconds(1) {
            windowStart = ContinuousClock.now
            bytesInWindow = 0
        }
    }
}
