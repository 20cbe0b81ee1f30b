import Foundation
import NIOCore
import SluiceKernel

/// One segment of `SegmentLogChecker`: every batch of the `.log` read whole and its
/// CRC-32C recomputed, offsets checked to increase (gaps are fine: compaction leaves
/// them), then every `.index` and `.timeindex` entry checked against the batches found.
struct SegmentFileCheck {
    let files: SegmentFiles
    let baseOffset: Int64
    private(set) var size: Int64 = 0
    private(set) var batches = 0
    private(set) var records: Int64 = 0
    private(set) var firstOffset: Int64?
    /// One past the last offset of the last whole batch.
    private(set) var nextOffset: Int64?
    private(set) var problems: [String] = []
    /// Batch start position → base offset, for the index checks.
    private var batchAt: [Int64: Int64] = [:]
    /// Base offsets of the batches, for the time index.
    private var baseOffsets: Set<Int64> = []

    init(files: SegmentFiles, baseOffset: Int64) {
        self.files = files
        self.baseOffset = baseOffset
    }

    mutating func run() {
        do {
            try checkBatches()
        } catch {
            problems.append("\(files.log): could not be read: \(error)")
            return
        }
        checkOffsetIndex()
        checkTimeIndex()
    }

    private mutating func problem(_ path: String, _ text: String) { problems.append("\(path): \(text)") }

    private mutating func checkBatches() throws {
        let fd = files.log.withCString { Foundation.open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw FileIO.error("open", path: files.log) }
        defer { _ = Foundation.close(fd) }
        size = try FileIO.size(fd, path: files.log)
        var position: Int64 = 0
        var buffer = ByteBufferAllocator().buffer(capacity: 64 * 1024)
        while position < size {
            let remaining = size - position
            guard remaining >= Int64(RecordBatch.headerSize) else {
                problem(files.log, "\(remaining) bytes at position \(position) are too few for a batch header: a torn tail")
                return
            }
            var header = [UInt8](repeating: 0, count: BatchHeader.prefixSize)
            _ = try header.withUnsafeMutableBytes { try FileIO.read(fd, into: $0, at: position, path: files.log) }
            guard let parsed = header.withUnsafeBytes({ BatchHeader($0) }) else {
                problem(files.log, "no valid batch header at position \(position) (bad length, magic or offset delta)")
                return
            }
            guard Int64(parsed.size) <= remaining else {
                problem(files.log, "the batch at position \(position) claims \(parsed.size) bytes but \(remaining) remain: a torn tail")
                return
            }
            buffer.clear()
            try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: parsed.size) { raw in
                try FileIO.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[..<parsed.size]), at: position, path: files.log)
            }
            let batch: RecordBatch
            do throws(RecordBatchError) {
                guard let one = try RecordBatch.parse(buffer, verifyCRC: true).first else { throw .truncated(needed: parsed.size, available: 0) }
                batch = one
            } catch {
                problem(files.log, "the batch at position \(position) (offset \(parsed.baseOffset)) is invalid: \(error)")
                return
            }
            if batch.baseOffset < baseOffset {
                problem(files.log, "the batch at position \(position) has base offset \(batch.baseOffset), below the segment's base offset \(baseOffset)")
            }
            if let nextOffset, batch.baseOffset < nextOffset {
                problem(files.log, "offsets do not increase: the batch at position \(position) starts at \(batch.baseOffset) after a batch ending at \(nextOffset - 1)")
            }
            if batch.baseOffset - baseOffset > Int64(UInt32.max) {
                problem(files.log, "the batch at position \(position) is \(batch.baseOffset - baseOffset) offsets past the segment base, beyond what the index can address")
            }
            if firstOffset == nil { firstOffset = batch.baseOffset }
            nextOffset = batch.baseOffset + Int64(batch.lastOffsetDelta) + 1
            batchAt[position] = batch.baseOffset
            baseOffsets.insert(batch.baseOffset)
            batches += 1
            records += Int64(batch.recordCount)
            position += Int64(parsed.size)
        }
    }

    private mutating func checkOffsetIndex() {
        guard let bytes = readIndex(files.offsetIndex, entrySize: OffsetEntry.size) else { return }
        var previous: OffsetEntry?
        for index in 0..<(bytes.count / OffsetEntry.size) {
            let entry = bytes.withUnsafeBytes { OffsetEntry(UnsafeRawBufferPointer(rebasing: $0[(index * OffsetEntry.size)..<((index + 1) * OffsetEntry.size)])) }
            if let previous, entry.relativeOffset <= previous.relativeOffset || entry.position <= previous.position {
                problem(files.offsetIndex, "entry \(index) (offset +\(entry.relativeOffset) at \(entry.position)) does not come after entry \(index - 1) (offset +\(previous.relativeOffset) at \(previous.position))")
            }
            let expected = baseOffset + Int64(entry.relativeOffset)
            if batchAt[Int64(entry.position)] != expected {
                problem(files.offsetIndex, "entry \(index) says offset \(expected) starts at position \(entry.position), where no batch with that base offset starts")
            }
            previous = entry
        }
    }

    private mutating func checkTimeIndex() {
        guard let bytes = readIndex(files.timeIndex, entrySize: TimeEntry.size) else { return }
        var previous: TimeEntry?
        for index in 0..<(bytes.count / TimeEntry.size) {
            let entry = bytes.withUnsafeBytes { TimeEntry(UnsafeRawBufferPointer(rebasing: $0[(index * TimeEntry.size)..<((index + 1) * TimeEntry.size)])) }
            if let previous, entry.timestamp < previous.timestamp || entry.relativeOffset < previous.relativeOffset {
                problem(files.timeIndex, "entry \(index) (time \(entry.timestamp), offset +\(entry.relativeOffset)) goes back from entry \(index - 1)")
            }
            if !baseOffsets.contains(baseOffset + Int64(entry.relativeOffset)) {
                problem(files.timeIndex, "entry \(index) names offset \(baseOffset + Int64(entry.relativeOffset)), where no batch starts")
            }
            previous = entry
        }
    }

    /// The index's bytes; nil (with a problem) when missing or not whole entries.
    private mutating func readIndex(_ path: String, entrySize: Int) -> [UInt8]? {
        let bytes: [UInt8]?
        do { bytes = try FileIO.readFile(path) } catch {
            problem(path, "could not be read: \(error)")
            return nil
        }
        guard let bytes else {
            if batches > 0 { problem(path, "missing (the log has \(batches) batches)") }
            return nil
        }
        if bytes.count % entrySize != 0 {
            problem(path, "\(bytes.count) bytes is not a whole number of \(entrySize)-byte entries")
        }
        return bytes
    }
}
