import Foundation
import SluiceKernel

/// The cheap check of a segment that was sealed (fsynced, indexes complete) before the
/// process stopped: it reads the last entry of each index and the batch headers after
/// the last offset-index entry, not the whole segment.
///
/// Anything that does not add up — a missing index, an entry pointing at no batch with
/// its offset, bytes after the last whole batch — sends the segment to full recovery.
enum SegmentCheck {
    enum Outcome {
        case valid(LogSegment)
        /// Why the segment needs recovery.
        case invalid(String)
    }

    static func open(baseOffset: Int64, directory: String, indexIntervalBytes: Int, now: Int64, allowGaps: Bool = false) throws -> Outcome {
        let paths = SegmentFiles(directory: directory, baseOffset: baseOffset)
        let file = LogFileHandle(descriptor: try FileIO.open(paths.log, create: false), path: paths.log)
        defer { withExtendedLifetime(file) {} }
        let (size, inode) = try FileIO.identity(file.descriptor, path: paths.log)
        guard let offsetIndex = try IndexFile<OffsetEntry>.inspect(paths.offsetIndex) else {
            return .invalid("the offset index is missing or malformed")
        }
        guard let timeIndex = try IndexFile<TimeEntry>.inspect(paths.timeIndex) else {
            return .invalid("the time index is missing or malformed")
        }
        var reader = BatchHeaderReader(fd: file.descriptor, path: paths.log, end: size)
        var firstTimestamp: Int64 = -1
        if size > 0 {
            guard let first = try reader.header(at: 0), first.baseOffset == baseOffset || (allowGaps && first.baseOffset > baseOffset) else {
                return .invalid("the first batch does not start at the segment's base offset")
            }
            firstTimestamp = first.maxTimestamp
        }
        var start: Int64 = 0
        var expected = baseOffset
        if let last = offsetIndex.last {
            guard let header = try reader.header(at: Int64(last.position)),
                  header.baseOffset == baseOffset + Int64(last.relativeOffset) else {
                return .invalid("the last offset index entry points at no batch with its offset")
            }
            start = Int64(last.position)
            expected = header.baseOffset
        }
        var contiguous = true
        let end = try reader.scan(from: start) { header, _ in
            contiguous = header.baseOffset == expected || (allowGaps && header.baseOffset > expected)
            if contiguous { expected = header.nextOffset }
            return contiguous
        }
        guard contiguous, end == size else {
            return .invalid("the log does not end in whole, contiguous batches after the last index entry")
        }
        let lastTime = timeIndex.last
        let state = LogSegment.State(
            size: size, nextOffset: expected, maxTimestamp: lastTime?.timestamp ?? -1,
            offsetOfMaxTimestamp: lastTime.map { baseOffset + Int64($0.relativeOffset) } ?? -1,
            rollTimestamp: SegmentSummary.rollTimestamp(firstBatch: firstTimestamp, now: now), firstBatchTimestamp: firstTimestamp,
            bytesSinceOffsetEntry: Int(size - start), bytesSinceTimeEntry: lastTime == nil ? nil : 0)
        let segment = LogSegment(baseOffset: baseOffset, directory: directory,
                                 offsetIndex: IndexFile(path: paths.offsetIndex, count: offsetIndex.count),
                                 timeIndex: IndexFile(path: paths.timeIndex, count: timeIndex.count),
                                 indexIntervalBytes: indexIntervalBytes, inode: inode, state: state)
        if let lastTime {
            guard expected > baseOffset + Int64(lastTime.relativeOffset),
                  let (_, header) = try segment.locate(baseOffset + Int64(lastTime.relativeOffset), file: file),
                  header.baseOffset == baseOffset + Int64(lastTime.relativeOffset), header.maxTimestamp == lastTime.timestamp else {
                return .invalid("the time index's last entry disagrees with the log")
            }
        } else if firstTimestamp >= 0 {
            return .invalid("the time index is empty but the log holds timestamps")
        }
        return .valid(segment)
    }
}
