import Foundation
import SluiceKernel
import Testing
@testable import SluiceSegmentLog

/// Recovery of a segment the cleaner left with gaps (its first batch above its base
/// offset): the rebuilt indexes name the offsets where batches really start. Before the
/// fix, a segment named 0 whose first kept batch starts at 2587 got the time-index entry
/// (timestamp, offset 0) after a kill, which the storage checker refuses.
@Suite struct CleanedSegmentRecoveryTests {
    @Test func recoveryOfASegmentWithGapsIndexesTheBatchesRealOffsets() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let paths = SegmentFiles(directory: dir.path, baseOffset: 0)
        let batches = (0..<3).map { batch(4, tag: "g\($0)", timestamp: 1_700_000_000_000 + Int64($0) * 1000, valueSize: 200) }
        let offsets: [Int64] = [2587, 3000, 4000]   // a gap before the first batch and between the others
        let fd = try FileIO.open(paths.log, create: true)
        try BatchWriter.write(batches, baseOffsets: offsets, to: fd, at: 0, path: paths.log)
        _ = close(fd)
        let (segment, scanned) = try SegmentRecovery.recover(baseOffset: 0, directory: dir.path, indexIntervalBytes: 100,
                                                              now: 1_700_000_010_000, reason: "test", logger: quietLogger,
                                                              allowGaps: true)
        #expect(scanned > 0)
        #expect(segment.nextOffset == 4004)
        let times = try IndexFile<TimeEntry>(path: paths.timeIndex).entries().map(\.relativeOffset)
        #expect(times == [2587, 3000, 4000], "every entry names a batch start")
        let starts = try IndexFile<OffsetEntry>(path: paths.offsetIndex).entries().map(\.relativeOffset)
        #expect(starts.allSatisfy { offsets.contains(Int64($0)) }, "\(starts)")
        #expect(!starts.isEmpty)
    }
}
