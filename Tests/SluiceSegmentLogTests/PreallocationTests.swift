import Foundation
import SluiceKernel
import Testing
@testable import SluiceSegmentLog

/// Large appends reserve the active segment's blocks ahead with `fallocate(KEEP_SIZE)`;
/// the file's size, what reads return and what a reopen finds stay as without it, and
/// sealing gives the reservation back.
@Suite("segment files: blocks reserved ahead of large appends")
struct PreallocationTests {
    let tp = TopicPartition("prealloc", 0)

    /// Bytes the file system holds for `path` (st_blocks × 512).
    func allocatedBytes(_ path: String) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { return -1 }
        return Int64(info.st_blocks) * 512
    }

    /// Bytes held past the file's size: a reservation, or only the rounding to whole
    /// blocks and an extent-tree block or two (under `slack`).
    func heldPastEnd(_ path: String) throws -> Int64 { allocatedBytes(path) - (try fileSize(path)) }
    let slack: Int64 = 64 << 10

    #if os(Linux)
    @Test func aLargeAppendReservesAheadWithoutChangingTheSizeAndARollGivesItBack() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let segmentBytes = 8 << 20
        let storage = try openStorage(dir, testConfiguration(segmentBytes: segmentBytes))
        let log = try await storage.open(tp, config: PartitionLogConfig(segmentBytes: segmentBytes))
        // About 100 KiB: above the 64 KiB threshold, so 8 × its size is reserved ahead.
        let large = (0..<3).map { batch(100, tag: "big\($0)", valueSize: 1_000) }
        #expect(large[0].byteCount >= Preallocation.minimumAppend)
        let offsets = try await appendEach(log, large)
        let first = dir.partition(tp) + "/" + SegmentFiles.name(0) + ".log"
        let written = Int64(large.reduce(0) { $0 + $1.byteCount })
        #expect(try fileSize(first) == written, "KEEP_SIZE: the size is the data's")
        #expect(allocatedBytes(first) >= written + 4 * Int64(large[0].byteCount), "blocks reserved ahead")
        let stored = try await readAll(log, from: 0)
        #expect(stored.map { Array(buffer: $0.buffer) } == zip(large, offsets).map { storedBytes($0, baseOffset: $1) })

        // Past segmentBytes: the first segment rolls and gives back what it reserved.
        let fill = (0..<80).map { batch(100, tag: "fill\($0)", valueSize: 1_000) }
        _ = try await appendEach(log, fill)
        #expect(try dir.logFiles(tp).count >= 2)
        #expect(try heldPastEnd(first) < slack, "sealing frees the blocks past the end")
        try await storage.close()
    }

    @Test func smallAppendsReserveNothingAndCloseGivesBackWhatWasReserved() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir)
        let log = try await storage.open(tp, config: storage.defaultLogConfig)
        _ = try await appendEach(log, (0..<20).map { batch(2, tag: "s\($0)") })
        let path = dir.partition(tp) + "/" + SegmentFiles.name(0) + ".log"
        #expect(try heldPastEnd(path) < slack, "appends below 64 KiB reserve nothing")
        _ = try await appendEach(log, [batch(100, tag: "big", valueSize: 1_000)])
        #expect(try heldPastEnd(path) > 4 * slack)
        try await storage.close()
        #expect(try heldPastEnd(path) < slack, "a clean close frees the blocks past the end")

        // The reopened log holds every record, and appends continue after them.
        let reopened = try openStorage(dir)
        let again = try await reopened.open(tp, config: reopened.defaultLogConfig)
        #expect(try await again.offsets().logEndOffset == 140)
        #expect(try await again.append([batch(100, tag: "after", valueSize: 1_000)]).firstOffset == 140)
        #expect(try await readAll(again, from: 0).count == 22)
        try await reopened.close()
    }

    @Test func aTruncationCutsTheReservationAndLaterAppendsReserveAgain() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir)
        let log = try await storage.open(tp, config: storage.defaultLogConfig)
        let offsets = try await appendEach(log, (0..<3).map { batch(100, tag: "t\($0)", valueSize: 1_000) })
        try await log.truncate(to: offsets[1])
        let path = dir.partition(tp) + "/" + SegmentFiles.name(0) + ".log"
        #expect(try heldPastEnd(path) < slack, "a truncation frees what lay past the cut")
        let next = try await log.append([batch(100, tag: "t3", valueSize: 1_000)])
        #expect(next.firstOffset == offsets[1])
        #expect(try heldPastEnd(path) > 4 * slack)
        #expect(try await readAll(log, from: 0).map(\.baseOffset) == [0, offsets[1]])
        try await storage.close()
    }
    #endif
}
