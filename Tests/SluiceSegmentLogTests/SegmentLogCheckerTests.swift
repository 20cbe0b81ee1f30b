import Foundation
import NIOCore
import SluiceKernel
@testable import SluiceSegmentLog
import Testing

/// `sluice storage check`: a log closed cleanly passes; each kind of damage is reported,
/// naming its file.
@Suite struct SegmentLogCheckerTests {
    let tp = TopicPartition("checked", 0)

    /// Several segments with index entries, closed cleanly.
    func writeLog(_ dir: TemporaryDirectory) async throws {
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 1024, indexIntervalBytes: 128))
        let log = try await storage.open(tp, config: PartitionLogConfig(segmentBytes: 1024))
        try await appendEach(log, (0..<20).map { batch(1 + $0 % 3, tag: "c\($0)", valueSize: 40) })
        try await storage.close()
    }

    func segmentStem(_ dir: TemporaryDirectory, index: Int) throws -> String {
        dir.partition(tp) + "/" + String(try dir.logFiles(tp)[index].dropLast(4))
    }

    func flipByte(_ path: String, at position: UInt64) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: position)
        let byte = try #require(try handle.read(upToCount: 1)).first!
        try handle.seek(toOffset: position)
        try handle.write(contentsOf: Data([byte ^ 0xFF]))
    }

    @Test func aCleanLogPasses() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await writeLog(dir)
        let report = try SegmentLogChecker.check(directory: dir.path)
        #expect(report.isHealthy, "\(report)")
        let segments = try dir.logFiles(tp).count
        #expect(report.partitions == 1 && report.segments == segments && segments > 2)
        #expect(report.batches == 20 && report.records == (0..<20).reduce(0) { $0 + Int64(1 + $1 % 3) })
        #expect(report.description.hasPrefix("ok: "))
    }

    @Test func aFlippedRecordByteFailsTheCRC() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await writeLog(dir)
        let stem = try segmentStem(dir, index: 1)
        try flipByte(stem + ".log", at: UInt64(RecordBatch.headerSize + 5))
        let report = try SegmentLogChecker.check(directory: dir.path)
        #expect(!report.isHealthy)
        #expect(report.problems.contains { $0.hasPrefix(stem + ".log") && $0.contains("CRC-32C mismatch") }, "\(report)")
    }

    @Test func leftoverCleanerFilesAreReported() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await writeLog(dir)
        let stem = try segmentStem(dir, index: 0)
        for suffix in [".log.cleaned", ".index.swap"] {
            #expect(FileManager.default.createFile(atPath: stem + suffix, contents: Data()))
        }
        let report = try SegmentLogChecker.check(directory: dir.path)
        #expect(report.problems.count == 2, "\(report)")
        #expect(report.problems.allSatisfy { $0.contains("leftover") })
    }

    @Test func overlappingSegmentsAreReported() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await writeLog(dir)
        // A copy of the first segment named one offset later overlaps it and the next.
        let first = try segmentStem(dir, index: 0)
        let copy = dir.partition(tp) + "/" + SegmentFiles.name(1)
        for suffix in [".log", ".index", ".timeindex"] {
            try FileManager.default.copyItem(atPath: first + suffix, toPath: copy + suffix)
        }
        let report = try SegmentLogChecker.check(directory: dir.path)
        #expect(report.problems.contains { $0.contains("overlap") }, "\(report)")
        #expect(report.problems.contains { $0.contains("below the segment's base offset") }, "\(report)")
    }

    @Test func indexEntriesPointingAtNoBatchAreReported() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await writeLog(dir)
        let stem = try segmentStem(dir, index: 0)
        let index = try #require(FileManager.default.contents(atPath: stem + ".index"))
        #expect(index.count >= OffsetEntry.size, "the test needs an index entry")
        // The entry's position moved by one byte: no batch starts there.
        try flipByte(stem + ".index", at: UInt64(OffsetEntry.size - 1))
        let report = try SegmentLogChecker.check(directory: dir.path)
        #expect(report.problems.contains { $0.hasPrefix(stem + ".index") && $0.contains("no batch") }, "\(report)")
    }

    @Test func aTornTailIsReported() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await writeLog(dir)
        let last = try dir.logFiles(tp).count - 1
        let log = try segmentStem(dir, index: last) + ".log"
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: log))
        try handle.truncate(atOffset: UInt64(try fileSize(log) - 10))
        try handle.close()
        let report = try SegmentLogChecker.check(directory: dir.path)
        #expect(report.problems.contains { $0.hasPrefix(log) && $0.contains("torn tail") }, "\(report)")
    }

    @Test func aMissingDirectoryThrows() {
        #expect(throws: StorageError.self) { try SegmentLogChecker.check(directory: "/nonexistent/sluice-check") }
    }
}
