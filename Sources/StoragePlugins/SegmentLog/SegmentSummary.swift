import Foundation
import SluiceKernel

/// What a reopen needs to know of one segment without reading it: the state of its first
/// `size` bytes, which were durable (fsynced, with their index entries) when the summary
/// was taken.
///
/// A segment whose `.log` is still the same file (`inode`) and exactly `size` bytes long,
/// with index files of exactly `offsetEntries` / `timeEntries` entries, is opened from
/// the summary alone. One that grew is trusted up to `size` and only the bytes after it
/// are validated (the tail after the last flush).
struct SegmentSummary: Sendable, Equatable {
    var baseOffset: Int64
    /// Bytes of whole, valid batches.
    var size: Int64
    var nextOffset: Int64
    var maxTimestamp: Int64
    var offsetOfMaxTimestamp: Int64
    /// The first batch's max timestamp, -1 without one (a reopen rolls by it, `segmentMs`).
    var firstBatchTimestamp: Int64
    var bytesSinceOffsetEntry: Int
    var bytesSinceTimeEntry: Int
    /// Entries of the `.index` / `.timeindex` files that describe the first `size` bytes.
    var offsetEntries: Int
    var timeEntries: Int
    /// The `.log` file's inode number: a replaced file (a cleaner's swap, a restore) is not trusted.
    var inode: UInt64

    static let fieldCount = 11

    var fields: [Int64] {
        [baseOffset, size, nextOffset, maxTimestamp, offsetOfMaxTimestamp, firstBatchTimestamp, Int64(bytesSinceOffsetEntry),
         Int64(bytesSinceTimeEntry), Int64(offsetEntries), Int64(timeEntries), Int64(bitPattern: inode)]
    }

    init(baseOffset: Int64, size: Int64, nextOffset: Int64, maxTimestamp: Int64, offsetOfMaxTimestamp: Int64, firstBatchTimestamp: Int64,
         bytesSinceOffsetEntry: Int, bytesSinceTimeEntry: Int, offsetEntries: Int, timeEntries: Int, inode: UInt64) {
        self.baseOffset = baseOffset
        self.size = size
        self.nextOffset = nextOffset
        self.maxTimestamp = maxTimestamp
        self.offsetOfMaxTimestamp = offsetOfMaxTimestamp
        self.firstBatchTimestamp = firstBatchTimestamp
        self.bytesSinceOffsetEntry = bytesSinceOffsetEntry
        self.bytesSinceTimeEntry = bytesSinceTimeEntry
        self.offsetEntries = offsetEntries
        self.timeEntries = timeEntries
        self.inode = inode
    }

    /// From `fields`' order; nil when a value cannot be one of a healthy segment.
    init?(fields f: ArraySlice<Int64>) {
        guard f.count == Self.fieldCount else { return nil }
        let v = Array(f)
        guard v[0] >= 0, v[1] >= 0, v[1] <= Int64(UInt32.max), v[2] >= v[0], v[6] >= 0, v[7] >= 0, v[8] >= 0, v[9] >= 0 else { return nil }
        self.init(baseOffset: v[0], size: v[1], nextOffset: v[2], maxTimestamp: v[3], offsetOfMaxTimestamp: v[4], firstBatchTimestamp: v[5],
                  bytesSinceOffsetEntry: Int(v[6]), bytesSinceTimeEntry: Int(v[7]), offsetEntries: Int(v[8]), timeEntries: Int(v[9]),
                  inode: UInt64(bitPattern: v[10]))
    }

    /// Where a reopened segment's age starts: its first batch's timestamp (not after `now`),
    /// or `now` when it has none.
    static func rollTimestamp(firstBatch: Int64, now: Int64) -> Int64 { firstBatch >= 0 ? min(now, firstBatch) : now }

    /// The segment state this summary describes (its first `size` bytes).
    func state(now: Int64) -> LogSegment.State {
        LogSegment.State(size: size, nextOffset: nextOffset, maxTimestamp: maxTimestamp, offsetOfMaxTimestamp: offsetOfMaxTimestamp,
                         rollTimestamp: Self.rollTimestamp(firstBatch: firstBatchTimestamp, now: now),
                         firstBatchTimestamp: firstBatchTimestamp, bytesSinceOffsetEntry: bytesSinceOffsetEntry,
                         bytesSinceTimeEntry: bytesSinceTimeEntry)
    }
}

/// The storage-wide file of segment summaries, one line per segment:
///
/// ```
/// sluice-segment-summaries 1
/// <topic>-<partition> <base> <size> <nextOffset> <maxTimestamp> <offsetOfMaxTimestamp> <firstBatchTimestamp> <bytesSinceOffsetEntry> <bytesSinceTimeEntry> <offsetEntries> <timeEntries> <inode>
/// end <lines> <crc32c of everything before this line, hex>
/// ```
///
/// The same format serves `clean-shutdown` (written once at a clean close, every segment
/// sealed) and `recovery-checkpoint` (rewritten as partitions flush). A file that does not
/// parse whole — torn, edited, a wrong checksum — is ignored: every partition is then
/// recovered as if it had no summary.
enum SummaryFile {
    static let header = "sluice-segment-summaries 1"

    static func encode(_ entries: [TopicPartition: [SegmentSummary]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * 120 + 64)
        out.append(contentsOf: header.utf8)
        out.append(0x0A)
        var lines = 0
        for (partition, segments) in entries.sorted(by: { $0.key < $1.key }) {
            let name = Array(partition.description.utf8)
            for segment in segments {
                out.append(contentsOf: name)
                for value in segment.fields {
                    out.append(0x20)
                    appendDecimal(value, to: &out)
                }
                out.append(0x0A)
                lines += 1
            }
        }
        let crc = out.withUnsafeBytes { CRC32C.checksum($0) }
        out.append(contentsOf: "end \(lines) \(String(crc, radix: 16))\n".utf8)
        return out
    }

    /// The entries of a well-formed file; nil otherwise.
    static func decode(_ bytes: [UInt8]) -> [TopicPartition: [SegmentSummary]]? {
        guard let endStart = bytes.dropLast().lastIndex(of: 0x0A).map({ $0 + 1 }), bytes.last == 0x0A else { return nil }
        let trailer = String(decoding: bytes[endStart..<(bytes.count - 1)], as: UTF8.self).split(separator: " ")
        guard trailer.count == 3, trailer[0] == "end", let lines = Int(trailer[1]), let crc = UInt32(trailer[2], radix: 16),
              bytes.withUnsafeBytes({ CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<endStart])) }) == crc else { return nil }
        var entries: [TopicPartition: [SegmentSummary]] = [:]
        var count = 0
        var first = true
        for line in bytes[..<endStart].split(separator: 0x0A) {
            if first {
                guard String(decoding: line, as: UTF8.self) == header else { return nil }
                first = false
                continue
            }
            let words = line.split(separator: 0x20)
            guard words.count == 1 + SegmentSummary.fieldCount, let partition = parsePartition(words[0]) else { return nil }
            var values: [Int64] = []
            values.reserveCapacity(SegmentSummary.fieldCount)
            for word in words.dropFirst() {
                guard let value = Int64(String(decoding: word, as: UTF8.self)) else { return nil }
                values.append(value)
            }
            guard let segment = SegmentSummary(fields: values[...]) else { return nil }
            if let last = entries[partition]?.last, last.baseOffset >= segment.baseOffset { return nil }
            entries[partition, default: []].append(segment)
            count += 1
        }
        return !first && count == lines ? entries : nil
    }

    /// Reads `path`; nil when absent or malformed.
    static func read(_ path: String) throws -> [TopicPartition: [SegmentSummary]]? {
        guard let bytes = try FileIO.readFile(path) else { return nil }
        return decode(bytes)
    }

    private static func parsePartition(_ word: ArraySlice<UInt8>) -> TopicPartition? {
        guard let dash = word.lastIndex(of: UInt8(ascii: "-")),
              let number = Int32(String(decoding: word[(dash + 1)...], as: UTF8.self)), number >= 0 else { return nil }
        let topic = String(decoding: word[..<dash], as: UTF8.self)
        guard TopicConfigs.validateName(topic) == nil else { return nil }
        return TopicPartition(topic, number)
    }

    private static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(raw[i]) }
        }
    }
}
