import Foundation
import NIOCore
import SluiceKernel
import Testing
@testable import SluiceSegmentLog

@Suite("segment-log cleaner: crash in the swap, bounded memory")
struct CleanerTests {
    let tp = TopicPartition("cleaner", 0)
    let config = PartitionLogConfig(segmentBytes: 1024)
    let policy = CompactionPolicy(deleteRetentionMs: 3_600_000, minCompactionLagMs: 0, minCleanableDirtyRatio: 0)

    /// 120 one-record batches over 8 keys, values naming their offset; closed cleanly.
    func writeLog(_ dir: TemporaryDirectory, _ configuration: SegmentLogStorageFactory.Configuration = testConfiguration(segmentBytes: 1024)) async throws {
        let storage = try openStorage(dir, configuration)
        let log = try await storage.open(tp, config: config)
        for i in 0..<120 {
            let record = Record(key: Array("k\(i % 8)".utf8), value: Array("k\(i % 8)@\(i)".utf8), timestamp: 1_700_000_000_000)
            _ = try await log.append([RecordBatchBuilder().build([record])])
        }
        try await storage.close()
    }

    func contents(_ dir: TemporaryDirectory) async throws -> (batches: [[UInt8]], stats: CompactionStats) {
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 1024))
        let log = try await storage.open(tp, config: config)
        let batches = try await readAll(log).map { Array(buffer: $0.buffer) }
        let stats = try await log.compactionStats(policy, now: Date())
        try await storage.close()
        return (batches, stats)
    }

    func copy(_ from: TemporaryDirectory, _ label: String) throws -> TemporaryDirectory {
        let to = try TemporaryDirectory(label)
        try FileManager.default.removeItem(at: to.url)
        try FileManager.default.copyItem(at: from.url, to: to.url)
        return to
    }

    func names(_ dir: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.partition(tp)).sorted()
    }

    /// The original log, the same log cleaned, and the swap marker that clean committed.
    func originalAndCleaned() async throws -> (original: TemporaryDirectory, cleaned: TemporaryDirectory, swap: CleanerSwap) {
        let original = try TemporaryDirectory("original")
        try await writeLog(original)
        let cleaned = try copy(original, "cleaned")
        let storage = try openStorage(cleaned, testConfiguration(segmentBytes: 1024))
        let log = try await storage.open(tp, config: config)
        let result = try await log.compact(policy, now: Date())
        try await storage.close()
        #expect(result.cleaned && result.recordsRemoved > 0, "\(result)")
        let oldBases = try original.logFiles(tp).compactMap { SegmentFiles.baseOffset(ofFileNamed: $0, suffix: ".log") }
        let newBases = try cleaned.logFiles(tp).compactMap { SegmentFiles.baseOffset(ofFileNamed: $0, suffix: ".log") }
        let checkpoint = CleanerCheckpoint.read(directory: cleaned.partition(tp))
        let swap = CleanerSwap(rangeStart: 0, rangeEnd: oldBases.last!, newBases: Array(newBases.dropLast()),
                               cleanedUpTo: checkpoint.cleanedUpTo, deleteHorizon: checkpoint.deleteHorizon)
        #expect(newBases.last == oldBases.last, "the active segment is untouched")
        return (original, cleaned, swap)
    }

    /// Puts the cleaned segments of `cleaned` into `dir` as `.swap` files.
    func placeSwaps(_ swap: CleanerSwap, from cleaned: TemporaryDirectory, into dir: TemporaryDirectory) throws {
        for base in swap.newBases {
            let source = SegmentFiles(directory: cleaned.partition(tp), baseOffset: base).log
            try FileManager.default.copyItem(atPath: source, toPath: CleanerSwap.swapPath(dir.partition(tp), base))
        }
    }

    @Test func swapsWithoutTheCommitMarkerAreDiscarded() async throws {
        let (original, cleaned, swap) = try await originalAndCleaned()
        defer { original.remove(); cleaned.remove() }
        let before = try await contents(original)
        let crashed = try copy(original, "uncommitted")
        defer { crashed.remove() }
        try placeSwaps(swap, from: cleaned, into: crashed)
        let half = CleanerSwap.cleanedPath(crashed.partition(tp), 999)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: half))
        let after = try await contents(crashed)
        #expect(after.batches == before.batches, "an uncommitted swap must leave the old segments as they were")
        let left = try names(crashed)
        #expect(!left.contains { $0.hasSuffix(".swap") || $0.hasSuffix(".cleaned") }, "\(left)")
    }

    @Test(arguments: [0, 1, 2])
    func aCommittedSwapIsFinishedOnOpen(stage: Int) async throws {
        let (original, cleaned, swap) = try await originalAndCleaned()
        defer { original.remove(); cleaned.remove() }
        let expected = try await contents(cleaned)
        let crashed = try copy(original, "committed\(stage)")
        defer { crashed.remove() }
        let directory = crashed.partition(tp)
        try placeSwaps(swap, from: cleaned, into: crashed)
        try FileIO.writeAtomically(swap.text, to: directory + "/" + CleanerSwap.markerName, directory: directory)
        let oldBases = try crashed.logFiles(tp).compactMap { SegmentFiles.baseOffset(ofFileNamed: $0, suffix: ".log") }
        if stage >= 1 {
            // Crashed after deleting some old segments and the first one's indexes.
            for base in oldBases.dropFirst().prefix(3) where !swap.newBases.contains(base) {
                try FileIO.remove(SegmentFiles(directory: directory, baseOffset: base).log)
            }
            try FileIO.remove(SegmentFiles(directory: directory, baseOffset: 0).offsetIndex)
        }
        if stage >= 2 {
            // ... and after renaming the first swap into place.
            #expect(rename(CleanerSwap.swapPath(directory, 0), SegmentFiles(directory: directory, baseOffset: 0).log) == 0)
        }
        let after = try await contents(crashed)
        #expect(after.batches == expected.batches, "a committed swap must be finished: the log reads as the cleaned one")
        #expect(after.stats.dirtyBytes == 0 && after.stats.firstDirtyOffset == swap.cleanedUpTo, "\(after.stats)")
        let left = try names(crashed)
        #expect(!left.contains { $0.hasSuffix(".swap") || $0.hasSuffix(".cleaned") || $0 == CleanerSwap.markerName }, "\(left)")
    }

    @Test func theOffsetMapStaysWithinItsConfiguredMemory() async throws {
        var map = CompactionOffsetMap(memoryBytes: 2400)
        #expect(map.memoryBytes <= 2400 && map.capacity == 90)
        for i in 0..<90 { #expect(Array("key\(i)".utf8).withUnsafeBytes { map.put($0, offset: Int64(i)) }) }
        #expect(!Array("one-more".utf8).withUnsafeBytes { map.put($0, offset: 90) }, "a full map refuses new keys")
        #expect(Array("key3".utf8).withUnsafeBytes { map.put($0, offset: 91) }, "a full map still updates known keys")
        #expect(Array("key3".utf8).withUnsafeBytes { map.get($0) } == 91)
    }

    @Test func aSmallMapCleansThePrefixThatFitsThenTheRest() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var configuration = testConfiguration(segmentBytes: 1024)
        configuration.cleanerOffsetMapBytes = 1024  // 42 keys
        let storage = try openStorage(dir, configuration)
        let log = try await storage.open(tp, config: config)
        for round in 0..<2 {
            for key in 0..<100 {
                let record = Record(key: Array("key\(key)".utf8), value: Array("\(round)".utf8), timestamp: 1_700_000_000_000)
                _ = try await log.append([RecordBatchBuilder().build([record])])
            }
        }
        let first = try await log.compact(policy, now: Date())
        let stats = try await log.compactionStats(policy, now: Date())
        #expect(first.cleaned && first.cleanedUpTo < stats.firstUncleanableOffset, "a full map stops part-way: \(first), \(stats)")
        #expect(stats.dirtyBytes > 0, "the rest stays dirty for the next pass")
        var passes = 1
        while try await log.compactionStats(policy, now: Date()).isDue(policy), passes < 20 {
            _ = try await log.compact(policy, now: Date())
            passes += 1
        }
        let active = try await log.compactionStats(policy, now: Date()).firstUncleanableOffset
        var latest: [String: String] = [:]
        var below: [String] = []
        for batch in try await readAll(log) {
            for record in try batch.records() {
                let key = String(decoding: record.key ?? [], as: UTF8.self)
                latest[key] = String(decoding: record.value ?? [], as: UTF8.self)
                if record.offset < active { below.append(key) }
            }
        }
        #expect(passes > 1 && passes < 20, "several bounded passes clean everything: \(passes)")
        #expect(latest.count == 100 && latest.values.allSatisfy { $0 == "1" }, "every key keeps its latest value")
        #expect(Set(below).count == below.count, "no key twice in the cleaned part")
        try await storage.close()
    }
}
