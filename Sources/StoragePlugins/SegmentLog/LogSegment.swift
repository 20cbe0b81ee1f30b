import Foundation
import NIOCore
import SluiceKernel

/// One segment of a partition log: `<base>.log` holding whole batches back to back,
/// with its sparse offset index and time index. Not thread-safe: owned by one
/// `SegmentPartitionLog` actor.
///
/// Holds no descriptor of its own: its methods read and write through a `LogFileHandle`
/// of the `.log` file that the caller got from the storage's `DescriptorCache` and holds
/// for the whole operation (`SegmentPartitionLog.file(of:)`).
final class LogSegment {
    let baseOffset: Int64
    let logPath: String
    /// The `.log` file's identity in the descriptor cache.
    let slot: FileSlot
    /// The open `.log` descriptor while the cache (or a reader) still holds it.
    weak var openFile: LogFileHandle?
    let offsetIndex: IndexFile<OffsetEntry>
    let timeIndex: IndexFile<TimeEntry>
    /// `.txnindex`: aborted transactions whose marker is here (see `TransactionIndex.swift`).
    let transactionIndex: IndexFile<TransactionIndexEntry>
    let indexIntervalBytes: Int
    /// The `.log` file's inode number, recorded in summaries.
    let inode: UInt64
    /// The segment's state as of its last fsync (with its index entries): what a reopen
    /// after a crash trusts without reading. Nil until the first one.
    var durable: SegmentSummary?
    /// Bytes of whole batches; the file is never read past this.
    private(set) var size: Int64
    /// The offset after the last batch (`baseOffset` when empty).
    private(set) var nextOffset: Int64
    /// Largest batch max timestamp (ms), -1 when the segment holds none.
    private(set) var maxTimestamp: Int64
    /// Base offset of the first batch carrying `maxTimestamp`.
    private(set) var offsetOfMaxTimestamp: Int64
    /// When the segment started, for `segmentMs` (ms since the epoch).
    var rollTimestamp: Int64
    /// The max timestamp of the segment's first batch, -1 without one: a reopen rolls by it.
    private(set) var firstBatchTimestamp: Int64
    private var bytesSinceOffsetEntry = 0
    private var bytesSinceTimeEntry: Int
    /// Blocks reserved past `size` for large appends.
    private var preallocation = Preallocation()

    struct State {
        var size: Int64
        var nextOffset: Int64
        var maxTimestamp: Int64 = -1
        var offsetOfMaxTimestamp: Int64 = -1
        var rollTimestamp: Int64
        var firstBatchTimestamp: Int64 = -1
        var bytesSinceOffsetEntry = 0
        /// nil: as for a fresh segment (the next timestamp increase gets an entry).
        var bytesSinceTimeEntry: Int?
    }

    init(baseOffset: Int64, directory: String, offsetIndex: IndexFile<OffsetEntry>,
         timeIndex: IndexFile<TimeEntry>, indexIntervalBytes: Int, inode: UInt64, state: State) {
        self.baseOffset = baseOffset
        self.inode = inode
        let paths = SegmentFiles(directory: directory, baseOffset: baseOffset)
        self.logPath = paths.log
        self.transactionIndex = IndexFile<TransactionIndexEntry>(path: paths.transactionIndex)
        self.slot = FileSlot(path: logPath)
        self.offsetIndex = offsetIndex
        self.timeIndex = timeIndex
        self.indexIntervalBytes = indexIntervalBytes
        self.size = state.size
        self.nextOffset = state.nextOffset
        self.maxTimestamp = state.maxTimestamp
        self.offsetOfMaxTimestamp = state.offsetOfMaxTimestamp
        self.rollTimestamp = state.rollTimestamp
        self.firstBatchTimestamp = state.firstBatchTimestamp
        self.bytesSinceOffsetEntry = state.bytesSinceOffsetEntry
        self.bytesSinceTimeEntry = state.bytesSinceTimeEntry ?? indexIntervalBytes
    }

    /// Creates the files of a new, empty segment.
    static func create(baseOffset: Int64, directory: String, indexIntervalBytes: Int, now: Int64) throws -> LogSegment {
        let paths = SegmentFiles(directory: directory, baseOffset: baseOffset)
        let file = LogFileHandle(descriptor: try FileIO.open(paths.log, create: true), path: paths.log)
        let inode = try withExtendedLifetime(file) {
            try FileIO.truncate(file.descriptor, to: 0, path: paths.log)
            return try FileIO.identity(file.descriptor, path: paths.log).inode
        }
        let offsetIndex = IndexFile<OffsetEntry>(path: paths.offsetIndex)
        let timeIndex = IndexFile<TimeEntry>(path: paths.timeIndex)
        try offsetIndex.rewrite([])
        try timeIndex.rewrite([])
        // Left by a segment of this base that a truncation or retention removed earlier.
        try FileIO.remove(paths.transactionIndex)
        return LogSegment(baseOffset: baseOffset, directory: directory, offsetIndex: offsetIndex,
                          timeIndex: timeIndex, indexIntervalBytes: indexIntervalBytes, inode: inode,
                          state: State(size: 0, nextOffset: baseOffset, rollTimestamp: now))
    }

    /// The state now, for `durable` once an fsync covers it. Counts the index entries in
    /// their files: call right after writing the pending ones (`persistForSync`, `prepareSeal`).
    func summary() throws -> SegmentSummary {
        SegmentSummary(baseOffset: baseOffset, size: size, nextOffset: nextOffset, maxTimestamp: maxTimestamp,
                       offsetOfMaxTimestamp: offsetOfMaxTimestamp, firstBatchTimestamp: firstBatchTimestamp,
                       bytesSinceOffsetEntry: bytesSinceOffsetEntry, bytesSinceTimeEntry: bytesSinceTimeEntry,
                       offsetEntries: try offsetIndex.fileCount(), timeEntries: try timeIndex.fileCount(), inode: inode)
    }

    /// Writes the pending index entries and returns the index files to fsync with the
    /// log (those written since their last fsync) — a flush that records the state.
    func persistIndexesForSync() throws -> [LogFileHandle] {
        [try offsetIndex.persistForSync(), try timeIndex.persistForSync()].compactMap { $0 }
    }

    /// An fsync covered the index files handed out.
    func noteIndexesSynced() {
        offsetIndex.noteSynced()
        timeIndex.noteSynced()
    }

    var isEmpty: Bool { size == 0 }

    /// The open descriptor when something still holds it, marked used for the cache.
    func cachedFile() -> LogFileHandle? {
        guard let openFile else { return nil }
        slot.markUsed()
        return openFile
    }

    /// Offsets a segment can hold: relative offsets are 32-bit in the indexes.
    func canHold(upTo offset: Int64) -> Bool { offset - baseOffset <= Int64(UInt32.max) }

    // MARK: Appending

    /// Appends batches whose base offsets are `firstOffsets` in one write, then their
    /// index entries. On failure the segment is as before and the error says why.
    func append(_ batches: [RecordBatch], firstOffsets: [Int64], file: LogFileHandle) throws {
        let descriptor = file.descriptor
        var builder = IndexBuilder(baseOffset: baseOffset, interval: indexIntervalBytes,
                                   bytesSinceOffsetEntry: bytesSinceOffsetEntry, bytesSinceTimeEntry: bytesSinceTimeEntry,
                                   maxTimestamp: maxTimestamp, offsetOfMaxTimestamp: offsetOfMaxTimestamp)
        var position = size
        for (batch, base) in zip(batches, firstOffsets) {
            builder.add(base: base, maxTimestamp: batch.maxTimestamp, size: batch.byteCount, position: position)
            position += Int64(batch.byteCount)
        }
        preallocation.reserve(incoming: Int(position - size), at: size, fd: descriptor)
        do {
            try BatchWriter.write(batches, baseOffsets: firstOffsets, to: descriptor, at: size, path: logPath)
        } catch {
            preallocation.forget()
            throw error
        }
        do {
            try offsetIndex.append(builder.offsetEntries)
            do { try timeIndex.append(builder.timeEntries) } catch {
                try? offsetIndex.truncate(toCount: try offsetIndex.count() - builder.offsetEntries.count)
                throw error
            }
        } catch {
            try? FileIO.truncate(descriptor, to: size, path: logPath)
            preallocation.forget()
            throw error
        }
        if size == 0 { firstBatchTimestamp = batches[0].maxTimestamp }
        size = position
        nextOffset = firstOffsets.last! + Int64(batches.last!.lastOffsetDelta) + 1
        bytesSinceOffsetEntry = builder.bytesSinceOffsetEntry
        bytesSinceTimeEntry = builder.bytesSinceTimeEntry
        maxTimestamp = builder.maxTimestamp
        offsetOfMaxTimestamp = builder.offsetOfMaxTimestamp
    }

    /// Records the final max timestamp in the time index, so a reopen finds it without
    /// a scan, and returns the files to fsync before the segment counts as sealed.
    func prepareSeal(file: LogFileHandle) throws -> [LogFileHandle] {
        try preallocation.release(fd: file.descriptor, size: size, path: logPath)
        if maxTimestamp >= 0, try timeIndex.entries().last?.timestamp ?? -1 < maxTimestamp {
            try timeIndex.append([TimeEntry(timestamp: maxTimestamp, relativeOffset: UInt32(offsetOfMaxTimestamp - baseOffset))])
        }
        try offsetIndex.persist()
        try timeIndex.persist()
        return [file, try offsetIndex.syncHandle(), try timeIndex.syncHandle()]
    }

    // MARK: Finding batches

    func headerReader(_ file: LogFileHandle) -> BatchHeaderReader {
        BatchHeaderReader(fd: file.descriptor, path: logPath, end: size)
    }

    /// The position and header of the batch holding `offset`, nil when no batch here does.
    func locate(_ offset: Int64, file: LogFileHandle) throws -> (position: Int64, header: BatchHeader)? {
        guard offset < nextOffset else { return nil }
        // Below the base (a gap the cleaner left before this segment): its first batch.
        let relative = UInt32(max(offset, baseOffset) - baseOffset)
        let start = try offsetIndex.last { $0.relativeOffset <= relative }.map { Int64($0.position) } ?? 0
        var reader = headerReader(file)
        var found: (Int64, BatchHeader)?
        _ = try reader.scan(from: start) { header, at in
            if header.lastOffset >= offset { found = (at, header) }
            return found == nil
        }
        return found
    }

    /// The end of the whole batches from `start` (a batch start) that end within
    /// `maxBytes` of it and hold only offsets below `limit`.
    func endOfBatches(from start: Int64, maxBytes: Int, below limit: Int64, file: LogFileHandle) throws -> Int64 {
        let budgetEnd = min(size, start + Int64(min(maxBytes, Int(Int32.max))))
        // Every batch before an index entry at or below both bounds fits: skip to it.
        let byBytes = try offsetIndex.last { Int64($0.position) <= budgetEnd }
        let byOffset = try offsetIndex.last { baseOffset + Int64($0.relativeOffset) <= limit }
        var from = start
        if let byBytes, let byOffset { from = max(start, Int64(min(byBytes.position, byOffset.position))) }
        var reader = headerReader(file)
        return try reader.scan(from: from) { header, at in
            at + Int64(header.size) <= budgetEnd && header.lastOffset < limit
        }
    }

    /// The first batch whose max timestamp is at or after `timestamp`.
    func firstBatch(atOrAfter timestamp: Int64, file: LogFileHandle) throws -> BatchHeader? {
        guard maxTimestamp >= timestamp else { return nil }
        var start: Int64 = 0
        if let entry = try timeIndex.last(where: { $0.timestamp < timestamp }),
           let (position, _) = try locate(baseOffset + Int64(entry.relativeOffset), file: file) {
            start = position
        }
        var reader = headerReader(file)
        var found: BatchHeader?
        _ = try reader.scan(from: start) { header, _ in
            if header.maxTimestamp >= timestamp { found = header }
            return found == nil
        }
        return found
    }

    /// The batch carrying the segment's largest timestamp.
    func batchWithMaxTimestamp(file: LogFileHandle) throws -> BatchHeader? {
        guard maxTimestamp >= 0 else { return nil }
        return try locate(offsetOfMaxTimestamp, file: file)?.header
    }

    /// The newest record time (ms) for time retention: the max timestamp, or the file's
    /// modification time when the batches carry none.
    func largestTimestamp() -> Int64 {
        if maxTimestamp >= 0 { return maxTimestamp }
        var info = stat()
        guard stat(logPath, &info) == 0 else { return 0 }
        return Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
    }

    // MARK: Shrinking

    /// Cuts the segment at `position`, the start of the batch at `offset`.
    func truncate(at position: Int64, offset: Int64, file: LogFileHandle) throws {
        let relative = UInt32(offset - baseOffset)
        try FileIO.truncate(file.descriptor, to: position, path: logPath)
        preallocation.forget()
        size = position
        nextOffset = offset
        if position == 0 { firstBatchTimestamp = -1 }
        let offsetEntriesKept = try offsetIndex.entries().prefix { $0.relativeOffset < relative }.count
        try offsetIndex.truncate(toCount: offsetEntriesKept)
        let timeEntriesKept = try timeIndex.entries().prefix { $0.relativeOffset < relative }.count
        try timeIndex.truncate(toCount: timeEntriesKept)
        // The max timestamp is the last time entry's or a later batch's: scan from there.
        maxTimestamp = -1
        offsetOfMaxTimestamp = -1
        var start: Int64 = 0
        if let last = try timeIndex.entries().last, let (at, _) = try locate(baseOffset + Int64(last.relativeOffset), file: file) {
            start = at
        }
        var reader = headerReader(file)
        _ = try reader.scan(from: start) { header, _ in
            if header.maxTimestamp > maxTimestamp {
                maxTimestamp = header.maxTimestamp
                offsetOfMaxTimestamp = header.baseOffset
            }
            return true
        }
        bytesSinceOffsetEntry = 0
        bytesSinceTimeEntry = try timeIndex.entries().isEmpty ? indexIntervalBytes : 0
    }

    /// Removes the segment's files. Readers holding its file regions keep reading.
    func deleteFiles() throws {
        try FileIO.remove(logPath)
        try FileIO.remove(offsetIndex.path)
        try FileIO.remove(timeIndex.path)
        try FileIO.remove(transactionIndex.path)
    }
}
