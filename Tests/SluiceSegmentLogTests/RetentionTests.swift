import Foundation
import SluiceKernel
import Testing
@testable import SluiceSegmentLog

@Suite("retention and truncation")
struct RetentionTests {
    let tp = TopicPartition("retention", 0)
    let small = PartitionLogConfig(segmentBytes: 1024)
    let day: Int64 = 86_400_000

    @Test func retentionByTimeDeletesWholeSegmentsOlderThanRetention() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 1024))
        let log = try await storage.open(tp, config: small)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        // Three days of data, a third per day; each day fills whole segments.
        let days: [Int64] = [3, 2, 0]
        for (d, age) in days.enumerated() {
            for i in 0..<9 { _ = try await log.append([batch(3, tag: "d\(d)-\(i)", timestamp: nowMs - age * day, valueSize: 60)]) }
        }
        let before = try dir.logFiles(tp)
        let keepTwoAndAHalfDays = try await log.applyRetention(RetentionPolicy(retentionMs: 5 * day / 2), now: now)
        let offsets = try await log.offsets()
        #expect(keepTwoAndAHalfDays.previousLogStartOffset == 0)
        #expect(keepTwoAndAHalfDays.logStartOffset == offsets.logStartOffset)
        #expect(offsets.logStartOffset > 0 && offsets.logStartOffset <= 27, "day-3 records (offsets 0..<27) are gone, day 2 kept")
        #expect(try dir.logFiles(tp).first == SegmentFiles.name(offsets.logStartOffset) + ".log")
        #expect(try dir.logFiles(tp).count < before.count)
        #expect(keepTwoAndAHalfDays.deletedBytes > 0)
        await #expect(throws: StorageError.self) { try await log.read(from: 0, maxBytes: 100, maxOffset: nil, minOneBatch: true) }
        // The same clock one more day later: day 2 goes too, today stays.
        let later = try await log.applyRetention(RetentionPolicy(retentionMs: 5 * day / 2), now: now + 86_400)
        #expect(later.logStartOffset > 27 && later.logStartOffset <= 54)
        #expect(try await log.offsets().logEndOffset == 81)
        #expect(try await readAll(log, from: later.logStartOffset).last?.lastOffset == 80)
        try await storage.close()
    }

    @Test func retentionBySizeKeepsAtLeastTheLimitInWholeSegments() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 1024))
        let log = try await storage.open(tp, config: small)
        for i in 0..<40 { _ = try await log.append([batch(3, tag: "s\(i)", valueSize: 60)]) }
        let before = try await log.offsets()
        let limit: Int64 = 3000
        let result = try await log.applyRetention(RetentionPolicy(retentionBytes: limit), now: Date())
        let after = try await log.offsets()
        #expect(after.sizeBytes >= limit, "the partition keeps at least retentionBytes")
        #expect(after.sizeBytes < limit + 1024, "and less than one segment more")
        #expect(result.deletedBytes == before.sizeBytes - after.sizeBytes)
        #expect(after.logStartOffset == result.logStartOffset && after.logStartOffset > 0)
        let sizes = try dir.logFiles(tp).map { try fileSize(dir.partition(tp) + "/" + $0) }
        #expect(sizes.reduce(0, +) == after.sizeBytes)
        try await storage.close()
    }

    @Test func retentionNeverDeletesTheActiveSegment() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 1024))
        let log = try await storage.open(tp, config: small)
        for i in 0..<10 { _ = try await log.append([batch(3, tag: "a\(i)", timestamp: 1_000, valueSize: 60)]) }
        let result = try await log.applyRetention(RetentionPolicy(retentionMs: 1, retentionBytes: 1), now: Date())
        #expect(try dir.logFiles(tp) == [SegmentFiles.name(result.logStartOffset) + ".log"])
        #expect(try await readAll(log, from: result.logStartOffset).last?.lastOffset == 29)
        #expect(try await log.append([batch(1, tag: "next")]).firstOffset == 30)
        try await storage.close()
        // The log start survives a reopen: it is the first segment's name.
        let reopened = try openStorage(dir, testConfiguration(segmentBytes: 1024))
        let again = try await reopened.open(tp, config: small)
        #expect(try await again.offsets().logStartOffset == result.logStartOffset)
        try await reopened.close()
    }

    @Test func truncationAcrossSegmentsDeletesLaterSegmentsAndContinuesAtTheCut() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 1024))
        let log = try await storage.open(tp, config: small)
        let offsets = try await appendEach(log, (0..<20).map { batch(3, tag: "t\($0)", valueSize: 60) })
        let segmentsBefore = try dir.logFiles(tp)
        await #expect(throws: StorageError.notBatchBoundary(offset: offsets[4] + 1)) { try await log.truncate(to: offsets[4] + 1) }
        try await log.truncate(to: offsets[4])
        #expect(try await log.offsets().logEndOffset == offsets[4])
        #expect(try dir.logFiles(tp).count < segmentsBefore.count)
        #expect(try await readAll(log).map(\.baseOffset) == Array(offsets[..<4]))
        #expect(try await log.append([batch(1, tag: "after")]).firstOffset == offsets[4])
        try await storage.close()
        let reopened = try openStorage(dir, testConfiguration(segmentBytes: 1024))
        let again = try await reopened.open(tp, config: small)
        #expect(try await again.offsets().logEndOffset == offsets[4] + 1)
        try await reopened.close()
    }
}
