import Foundation
import Logging
import NIOCore
import SluiceKernel

/// Rebuilds one segment from its `.log` file after an unclean stop or when its indexes
/// cannot be trusted.
///
/// Every batch is validated: its length and magic (so a torn length field cannot send
/// the scan far away), that it lies wholly inside the file, its CRC-32C and record count,
/// and that its base offset follows the previous batch. The file is cut at the first
/// batch that fails — a torn write or garbage — and what was cut is logged. Both indexes
/// are then rewritten from the batches that remain and everything is fsynced.
///
/// Given the segment's durable summary (its state at the last flush), only the bytes
/// after it are validated, the indexes keep their entries up to it, and only entries the
/// scan found missing or wrong are rewritten.
enum SegmentRecovery {
    static let chunkSize = 1 << 20

    /// The recovered segment and the bytes of it that were validated.
    static func recover(baseOffset: Int64, directory: String, indexIntervalBytes: Int, now: Int64,
                        reason: String, logger: Logger, allowGaps: Bool = false,
                        after summary: SegmentSummary? = nil) throws -> (segment: LogSegment, scannedBytes: Int64) {
        let paths = SegmentFiles(directory: directory, baseOffset: baseOffset)
        let file = LogFileHandle(descriptor: try FileIO.open(paths.log, create: true), path: paths.log)
        defer { withExtendedLifetime(file) {} }
        let (fileSize, inode) = try FileIO.identity(file.descriptor, path: paths.log)
        var builder = IndexBuilder(baseOffset: baseOffset, interval: indexIntervalBytes,
                                   bytesSinceOffsetEntry: summary?.bytesSinceOffsetEntry ?? 0,
                                   bytesSinceTimeEntry: summary?.bytesSinceTimeEntry,
                                   maxTimestamp: summary?.maxTimestamp ?? -1, offsetOfMaxTimestamp: summary?.offsetOfMaxTimestamp ?? -1)
        var reader = ChunkReader(file: file, fileSize: fileSize)
        let start = summary?.size ?? 0
        var position = start
        var expected = summary?.nextOffset ?? baseOffset
        var firstTimestamp: Int64? = (summary?.size ?? 0) > 0 ? summary?.firstBatchTimestamp : nil
        var problem: String?
        while position < fileSize {
            guard let header = try reader.bytes(at: position, count: RecordBatch.headerSize) else {
                problem = "a torn batch header (\(fileSize - position) bytes)"
                break
            }
            let size: Int
            do { size = try RecordBatch.nextBatchSize(header) } catch { problem = "\(error)"; break }
            guard let bytes = try reader.bytes(at: position, count: size) else {
                problem = "a torn batch (\(size) bytes declared, \(fileSize - position) present)"
                break
            }
            let batch: RecordBatch
            do { batch = try RecordBatch.parse(bytes)[0] } catch { problem = "\(error)"; break }
            guard batch.baseOffset == expected || (allowGaps && batch.baseOffset > expected) else {
                problem = "a batch with base offset \(batch.baseOffset) where \(expected) was expected"
                break
            }
            builder.add(base: batch.baseOffset, maxTimestamp: batch.maxTimestamp, size: size, position: position)
            firstTimestamp = firstTimestamp ?? batch.maxTimestamp
            position += Int64(size)
            expected = batch.lastOffset + 1
        }
        if let problem {
            logger.warning("truncating a torn or corrupt tail", metadata: [
                "file": "\(paths.log)", "position": "\(position)", "offset": "\(expected)",
                "truncatedBytes": "\(fileSize - position)", "found": "\(problem)",
            ])
            try FileIO.truncate(file.descriptor, to: position, path: paths.log)
        }
        let offsetIndex = IndexFile<OffsetEntry>(path: paths.offsetIndex)
        let timeIndex = IndexFile<TimeEntry>(path: paths.timeIndex)
        if let summary {
            let offsets = try keep(offsetIndex, summary.offsetEntries, then: builder.offsetEntries)
            let times = try keep(timeIndex, summary.timeEntries, then: builder.timeEntries)
            logger.info("validated a segment's tail", metadata: [
                "file": "\(paths.log)", "from": "\(start)", "batchBytes": "\(position)", "nextOffset": "\(expected)",
                "indexes": "\(offsets || times ? "rewritten" : "unchanged")",
            ])
        } else {
            try offsetIndex.rewrite(builder.offsetEntries)
            try timeIndex.rewrite(builder.timeEntries)
            logger.info("rebuilt segment indexes", metadata: [
                "file": "\(paths.log)", "reason": "\(reason)", "batchBytes": "\(position)", "nextOffset": "\(expected)",
            ])
        }
        let first = position > 0 ? firstTimestamp ?? -1 : -1
        let state = LogSegment.State(size: position, nextOffset: expected, maxTimestamp: builder.maxTimestamp,
                                     offsetOfMaxTimestamp: builder.offsetOfMaxTimestamp,
                                     rollTimestamp: SegmentSummary.rollTimestamp(firstBatch: first, now: now), firstBatchTimestamp: first,
                                     bytesSinceOffsetEntry: builder.bytesSinceOffsetEntry,
                                     bytesSinceTimeEntry: builder.bytesSinceTimeEntry)
        let segment = LogSegment(baseOffset: baseOffset, directory: directory, offsetIndex: offsetIndex,
                                 timeIndex: timeIndex, indexIntervalBytes: indexIntervalBytes, inode: inode, state: state)
        // Durable before a summary vouches for it.
        for handle in try segment.prepareSeal(file: file) { try FileIO.sync(handle.descriptor, path: handle.path) }
        segment.noteIndexesSynced()
        segment.durable = try segment.summary()
        return (segment, fileSize - start)
    }

    /// Keeps the first `count` entries of `index` (described by a summary) followed by
    /// `rebuilt`, writing only when the file holds something else. Returns whether it wrote.
    private static func keep<Entry>(_ index: IndexFile<Entry>, _ count: Int, then rebuilt: [Entry]) throws -> Bool {
        let existing = try index.entries()
        guard existing.count < count || existing.count != count + rebuilt.count || !existing[count...].elementsEqual(rebuilt) else {
            return false
        }
        try index.truncate(toCount: min(count, existing.count))
        try index.append(rebuilt)
        try index.persist()
        return true
    }
}

/// Sequential reads of a segment file in large chunks, handing out whole byte ranges.
struct ChunkReader {
    let file: LogFileHandle
    let fileSize: Int64
    private var chunk = ByteBuffer()
    private var chunkStart: Int64 = 0

    init(file: LogFileHandle, fileSize: Int64) {
        self.file = file
        self.fileSize = fileSize
    }

    /// `count` bytes at `position`, or nil when the file ends first.
    mutating func bytes(at position: Int64, count: Int) throws -> ByteBuffer? {
        guard position + Int64(count) <= fileSize else { return nil }
        let chunkEnd = chunkStart + Int64(chunk.readableBytes)
        if position < chunkStart || position + Int64(count) > chunkEnd {
            let wanted = Int(min(Int64(max(SegmentRecovery.chunkSize, count)), fileSize - position))
            var fresh = ByteBufferAllocator().buffer(capacity: wanted)
            var failure: (any Error)?
            fresh.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { raw in
                do {
                    return try FileIO.read(file.descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[..<wanted]),
                                           at: position, path: file.path)
                } catch {
                    failure = error
                    return 0
                }
            }
            if let failure { throw failure }
            chunk = fresh
            chunkStart = position
            guard position + Int64(count) <= chunkStart + Int64(chunk.readableBytes) else { return nil }
        }
        return chunk.getSlice(at: chunk.readerIndex + Int(position - chunkStart), length: count)
    }
}
