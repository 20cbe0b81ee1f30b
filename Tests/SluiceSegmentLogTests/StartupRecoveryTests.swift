import Foundation
import NIOCore
import SluiceKernel
import SluiceTestSupport
import Testing
@testable import SluiceSegmentLog

/// What a start reads: nothing after a clean close, only the bytes written after the last
/// flush after a crash, and everything its summary cannot vouch for.
@Suite("start-up recovery reads only what could be damaged")
struct StartupRecoveryTests {
    static let config = PartitionLogConfig(segmentBytes: 4096)
    static let partitions = (0..<4).map { TopicPartition("startup", Int32($0)) }

    /// No background flush round: the tests run them (`flushAll`) where they mean to.
    func storageConfig(flush: FlushPolicy = .interval) -> SegmentLogStorageFactory.Configuration {
        var config = testConfiguration(segmentBytes: 4096, indexIntervalBytes: 200, flush: flush)
        config.flushIntervalMs = 3_600_000
        return config
    }

    /// Opens every partition as one step, as start-up does.
    func openAll(_ storage: SegmentLogStorage) async throws -> [any PartitionLog] {
        try await storage.open(Self.partitions.map { ($0, Self.config) })
    }

    /// Several segments per partition, with timestamps that go up and down.
    func fill(_ logs: [any PartitionLog], batches: Int, tag: String) async throws {
        for (p, log) in logs.enumerated() {
            for i in 0..<batches {
                let stamp = 1_700_000_000_000 + Int64((i * 37 + p) % 11) * 1000 + Int64(i)
                _ = try await log.append([batch(1 + i % 3, tag: "\(tag)\(p)-\(i)", timestamp: stamp, valueSize: 40 + (i * 13) % 90)])
            }
        }
    }

    func contents(_ logs: [any PartitionLog]) async throws -> [[[UInt8]]] {
        var all: [[[UInt8]]] = []
        for log in logs { all.append(try await readAll(log).map { Array(buffer: $0.buffer) }) }
        return all
    }

    /// Every file of every partition directory, by name.
    func files(_ dir: TemporaryDirectory) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for tp in Self.partitions {
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.partition(tp)) {
                out["\(tp)/\(name)"] = try Data(contentsOf: URL(fileURLWithPath: dir.partition(tp) + "/" + name))
            }
        }
        return out
    }

    @Test func aCleanCloseThenOpenReadsNoSegmentAndContinuesAsAFullRecoveryWould() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let copy = try TemporaryDirectory()
        defer { copy.remove() }
        let first = try openStorage(dir, storageConfig())
        try await fill(try await openAll(first), batches: 80, tag: "a")
        try await first.close()
        #expect(try dir.logFiles(Self.partitions[0]).count >= 3, "several segments per partition")
        // A copy has new inode numbers: its summaries vouch for nothing there.
        try FileManager.default.removeItem(at: copy.url)
        try FileManager.default.copyItem(at: dir.url, to: copy.url)
        try? FileManager.default.removeItem(atPath: copy.path + "/.lock")

        let trusted = try openStorage(dir, storageConfig())
        let trustedLogs = try await openAll(trusted)
        let stats = await trusted.recoveryStatistics
        #expect(stats.recoveredSegments == 0 && stats.scannedBytes == 0 && stats.trustedPartitions == Self.partitions.count, "\(stats)")

        let rebuilt = try openStorage(copy, storageConfig())
        let rebuiltLogs = try await openAll(rebuilt)
        let rebuiltStats = await rebuilt.recoveryStatistics
        #expect(rebuiltStats.trustedPartitions == 0 && rebuiltStats.recoveredSegments >= 3 * Self.partitions.count, "\(rebuiltStats)")

        #expect(try await contents(trustedLogs) == contents(rebuiltLogs))
        for (a, b) in zip(trustedLogs, rebuiltLogs) {
            #expect(try await a.offsets() == b.offsets())
            for stamp in stride(from: Int64(1_700_000_000_000), to: 1_700_000_012_000, by: 700) {
                #expect(try await a.batch(atOrAfterTimestamp: stamp)?.baseOffset == b.batch(atOrAfterTimestamp: stamp)?.baseOffset)
            }
        }
        // The same appends after either open leave the same bytes in every file.
        try await fill(trustedLogs, batches: 40, tag: "b")
        try await fill(rebuiltLogs, batches: 40, tag: "b")
        try await trusted.close()
        try await rebuilt.close()
        let (ours, theirs) = (try files(dir), try files(copy))
        #expect(ours.keys.sorted() == theirs.keys.sorted())
        for (name, bytes) in ours where theirs[name] != bytes { Issue.record("\(name) differs") }
    }

    @Test func afterACrashOnlyPartitionsWrittenAfterTheCheckpointAreRead() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var expected: [[[UInt8]]] = []
        var tornPath = ""
        var wholeSize: Int64 = 0
        do {
            let storage = try openStorage(dir, storageConfig())
            let logs = try await openAll(storage)
            try await fill(logs, batches: 50, tag: "c")
            await storage.flushAll()
            // After the checkpoint: two more batches to partition 2 only, the second one torn.
            let log = logs[2]
            let one = batch(2, tag: "after", valueSize: 60), two = batch(3, tag: "torn", valueSize: 60)
            let offset = try await log.append([one]).firstOffset
            _ = try await log.append([two])
            expected = try await contents(logs)
            expected[2].removeLast()
            #expect(expected[2].last == storedBytes(one, baseOffset: offset))
            tornPath = dir.partition(Self.partitions[2]) + "/" + (try dir.logFiles(Self.partitions[2]).last!)
            wholeSize = try fileSize(tornPath) - Int64(two.byteCount)
        }
        #expect(truncate(tornPath, off_t(wholeSize + 30)) == 0)
        let messages = MessageStore()
        let storage = try await openStorageAfterCrash(dir, storageConfig(), logger: messages.logger)
        let logs = try await openAll(storage)
        let stats = await storage.recoveryStatistics
        // One segment, or two when the appends rolled a new one.
        #expect(stats.trustedPartitions == 3 && stats.recoveredPartitions == 1 && (1...2).contains(stats.recoveredSegments), "\(stats)")
        #expect(stats.scannedBytes == Int64(expected[2].last!.count) + 30, "only the bytes after the checkpoint: \(stats)")
        #expect(try await contents(logs) == expected)
        #expect(try fileSize(tornPath) == wholeSize, "the torn batch is cut exactly")
        #expect(messages.messages.contains { $0.contains("truncating a torn or corrupt tail") && $0.contains("truncatedBytes=30") })
        #expect(messages.messages.contains { $0.contains("opened partitions") && $0.contains("trusted=3") && $0.contains("recovered=1") })
        try await storage.close()
    }

    @Test func aFileThatDiffersFromTheCleanShutdownRecordIsReadNotTrusted() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = try openStorage(dir, storageConfig())
        let firstLogs = try await openAll(first)
        try await fill(firstLogs, batches: 30, tag: "t")
        let expected = try await contents(firstLogs)
        try await first.close()
        // Garbage after partition 0's last segment; partition 1's last segment replaced by an
        // identical copy (same size, another file).
        let grown = dir.partition(Self.partitions[0]) + "/" + (try dir.logFiles(Self.partitions[0]).last!)
        let size = try fileSize(grown)
        try appendBytes([UInt8](repeating: 0xAB, count: 100), to: grown)
        let replaced = dir.partition(Self.partitions[1]) + "/" + (try dir.logFiles(Self.partitions[1]).last!)
        try FileManager.default.copyItem(atPath: replaced, toPath: replaced + ".copy")
        #expect(rename(replaced + ".copy", replaced) == 0)

        let messages = MessageStore()
        let storage = try openStorage(dir, storageConfig(), logger: messages.logger)
        let logs = try await openAll(storage)
        let stats = await storage.recoveryStatistics
        #expect(stats.trustedPartitions == 2 && stats.recoveredPartitions == 2 && stats.recoveredSegments == 2, "\(stats)")
        #expect(try await contents(logs) == expected)
        #expect(try fileSize(grown) == size, "the garbage is cut")
        #expect(messages.messages.contains { $0.contains("differ from its durable summary") && $0.contains(replaced) })
        try await storage.close()
    }

    @Test func aDeletedPartitionsSummaryDoesNotVouchForTheOneCreatedInItsPlace() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tp = Self.partitions[0]
        var expected: [[UInt8]] = []
        do {
            let storage = try openStorage(dir, storageConfig())
            let old = try await storage.open(tp, config: Self.config)
            _ = try await old.append([batch(1, tag: "old", valueSize: 10)])
            await storage.flushAll()
            try await storage.delete(tp)
            let new = try await storage.open(tp, config: Self.config)
            let batches = (0..<6).map { batch(2, tag: "new\($0)", valueSize: 80) }
            let offsets = try await appendEach(new, batches)
            expected = zip(batches, offsets).map { storedBytes($0, baseOffset: $1) }
        }
        let summaries = try SummaryFile.read(dir.path + "/" + RecoveryCheckpoint.checkpointName)
        #expect(summaries?[tp] == nil || summaries?[tp] == [], "the old summary left the checkpoint before the new partition existed")
        let storage = try await openStorageAfterCrash(dir, storageConfig())
        let log = try await storage.open(tp, config: Self.config)
        #expect(try await readAll(log).map { Array(buffer: $0.buffer) } == expected)
        try await storage.close()
    }

    @Test func aTruncationIsRecordedBeforeNewAppendsCanTakeTheCutBytesPlace() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tp = Self.partitions[0]
        var expected: [[UInt8]] = []
        do {
            let storage = try openStorage(dir, storageConfig())
            let log = try await storage.open(tp, config: PartitionLogConfig(segmentBytes: 1 << 20))
            let before = (0..<20).map { batch(1, tag: "b\($0)", valueSize: 30) }
            let offsets = try await appendEach(log, before)
            await storage.flushAll()
            try await log.truncate(to: offsets[5])
            let after = (0..<30).map { batch(2, tag: "a\($0)", valueSize: 45) }
            let later = try await appendEach(log, after)
            expected = zip(before.prefix(5), offsets).map { storedBytes($0, baseOffset: $1) }
                + zip(after, later).map { storedBytes($0, baseOffset: $1) }
        }
        let storage = try await openStorageAfterCrash(dir, storageConfig())
        let log = try await storage.open(tp, config: PartitionLogConfig(segmentBytes: 1 << 20))
        #expect(try await readAll(log).map { Array(buffer: $0.buffer) } == expected)
        let stats = await storage.recoveryStatistics
        #expect(stats.recoveredSegments == 1, "the appends after the truncation are validated: \(stats)")
        try await storage.close()
    }

    @Test func theSummaryFileRoundTripsAndRefusesDamage() throws {
        let segment = SegmentSummary(baseOffset: 1234, size: 5678, nextOffset: 1300, maxTimestamp: -1, offsetOfMaxTimestamp: -1,
                                     firstBatchTimestamp: 1_700_000_000_000, bytesSinceOffsetEntry: 17, bytesSinceTimeEntry: 4096,
                                     offsetEntries: 3, timeEntries: 0, inode: UInt64.max - 5)
        let entries = [TopicPartition("a-b.c_d", 7): [segment], TopicPartition("x", 0): []]
        let bytes = SummaryFile.encode(entries)
        #expect(SummaryFile.decode(bytes) == [TopicPartition("a-b.c_d", 7): [segment]])
        var damaged = bytes
        damaged[40] ^= 0x01
        #expect(SummaryFile.decode(damaged) == nil, "a changed byte fails the checksum")
        #expect(SummaryFile.decode(Array(bytes.dropLast(3))) == nil, "a torn file is refused")
        #expect(SummaryFile.decode([]) == nil)
    }
}
