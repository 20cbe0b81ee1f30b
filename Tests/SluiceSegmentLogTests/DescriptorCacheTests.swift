import Foundation
import NIOCore
import SluiceKernel
import Testing
@testable import SluiceSegmentLog

/// Descriptors this process holds on segment and index files under `directory` (from
/// /proc/self/fd), so that tests running alongside, and the directory lock, do not count.
func descriptorsOpen(under directory: String) -> Int {
    segmentFilesOpen(under: directory).count
}

func segmentFilesOpen(under directory: String) -> [String] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return entries.compactMap { entry in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + entry),
              target.hasPrefix(directory + "/"), target.hasSuffix(".log") || target.hasSuffix("index") else { return nil }
        return target
    }
}

@Suite("segment-log descriptor cache: bounded descriptors, lazy opens, eviction mid-stream")
struct DescriptorCacheTests {
    let cacheSize = 16

    func configuration(segmentBytes: Int = 1 << 20) -> SegmentLogStorageFactory.Configuration {
        var config = testConfiguration(segmentBytes: segmentBytes)
        config.maxOpenFiles = cacheSize
        return config
    }

    @Test func manyPartitionsStayWithinTheCacheAndIdleOnesHoldNone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, configuration())
        #expect(storage.descriptorsPerPartition == 0 && storage.descriptorBudget == cacheSize)
        let partitions = (0..<200).map { TopicPartition("many", Int32($0)) }
        var most = 0
        for tp in partitions {
            let log = try await storage.open(tp, config: PartitionLogConfig(segmentBytes: 1 << 20))
            _ = try await log.append([batch(2, tag: "\(tp)")])
            most = max(most, descriptorsOpen(under: dir.path))
        }
        for tp in partitions.reversed() {
            let log = try await storage.open(tp, config: PartitionLogConfig(segmentBytes: 1 << 20))
            let batches = try await readAll(log)
            #expect(batches.count == 1 && batches.first?.lastOffset == 1, "\(tp)")
            most = max(most, descriptorsOpen(under: dir.path))
        }
        #expect(most <= cacheSize, "at most the cache's descriptors, whatever the number of partitions")
        #expect(most > 0)
        try await storage.close()
        #expect(descriptorsOpen(under: dir.path) == 0, "a closed storage holds none")

        // Reopened: every partition opens without holding a descriptor until it is used.
        let reopened = try openStorage(dir, configuration())
        for tp in partitions { _ = try await reopened.open(tp, config: PartitionLogConfig(segmentBytes: 1 << 20)) }
        #expect(descriptorsOpen(under: dir.path) == 0, "idle partitions hold no descriptor")
        try await reopened.close()
    }

    /// Appends to and reads `tp` while the other partitions' traffic evicts its segments.
    @Test func readsWritesRetentionAndTruncationWorkAcrossEviction() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Every read a file region, however short, so that one outlives its descriptor's eviction.
        let storage = try SegmentLogStorage(configuration: configuration(segmentBytes: 1024), directory: dir.url, logger: quietLogger,
                                            clock: { Date() }, smallestFileRegion: 0)
        let small = PartitionLogConfig(segmentBytes: 1024)
        let tp = TopicPartition("evicted", 0)
        let log = try await storage.open(tp, config: small)
        let others = try await (0..<(cacheSize * 2)).asyncMap { try await storage.open(TopicPartition("other", Int32($0)), config: small) }
        var held: LogReadResult?
        for round in 0..<30 {
            _ = try await log.append([batch(3, tag: "r\(round)", valueSize: 60)])
            for other in others { _ = try await other.append([batch(1, tag: "o\(round)")]) }
            if round == 5 { held = try await log.read(from: 0, maxBytes: 200, maxOffset: nil, minOneBatch: true) }
        }
        // Rolled segments are fsynced in the background, holding their files until then.
        try await log.flush()
        for other in others { try await other.flush() }
        #expect(descriptorsOpen(under: dir.path) <= cacheSize + 1, "the cache plus the one region still held: \(segmentFilesOpen(under: dir.path))")
        // A region read before its segment's descriptor was evicted still reads.
        guard case .file = try #require(held).payload else {
            Issue.record("the held read should be a file region")
            return
        }
        let first = try RecordBatch.parse(try #require(held).payload.load())
        #expect(first.first?.baseOffset == 0)
        held = nil
        let batches = try await readAll(log)
        #expect(batches.count == 30 && batches.map(\.baseOffset) == (0..<30).map { Int64($0 * 3) })
        #expect(try dir.logFiles(tp).count > 3, "several segments, most of them evicted")

        try await log.truncate(to: 45)
        for other in others { _ = try await other.append([batch(1, tag: "after-truncate")]) }
        _ = try await log.append([batch(3, tag: "after")])
        #expect(try await readAll(log).map(\.baseOffset) == (0..<16).map { Int64($0 * 3) })

        let retained = try await log.applyRetention(RetentionPolicy(retentionBytes: 1500), now: Date())
        #expect(retained.logStartOffset > 0)
        let kept = try await readAll(log, from: retained.logStartOffset)
        #expect(kept.first?.baseOffset == retained.logStartOffset && kept.last?.lastOffset == 47)
        try await storage.close()
        #expect(descriptorsOpen(under: dir.path) == 0)
    }

    @Test func compactionReadsSegmentsWhoseDescriptorsWereEvicted() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, configuration(segmentBytes: 1024))
        let config = PartitionLogConfig(segmentBytes: 1024)
        let log = try await storage.open(TopicPartition("compacted", 0), config: config)
        let others = try await (0..<(cacheSize * 2)).asyncMap { try await storage.open(TopicPartition("noise", Int32($0)), config: config) }
        for i in 0..<120 {
            let record = Record(key: Array("k\(i % 8)".utf8), value: Array("k\(i % 8)@\(i)".utf8), timestamp: 1_700_000_000_000)
            _ = try await log.append([RecordBatchBuilder().build([record])])
            if i % 10 == 0 { for other in others { _ = try await other.append([batch(1, tag: "n\(i)")]) } }
        }
        let policy = CompactionPolicy(deleteRetentionMs: 3_600_000, minCompactionLagMs: 0, minCleanableDirtyRatio: 0)
        let result = try await log.compact(policy, now: Date())
        #expect(result.cleaned && result.recordsRemoved > 0, "\(result)")
        for other in others { _ = try await other.append([batch(1, tag: "after")]) }
        let values = try await readAll(log).flatMap { try $0.records() }.map { String(decoding: $0.value ?? [], as: UTF8.self) }
        for key in 0..<8 { #expect(values.contains("k\(key)@\(112 + key)"), "the latest value of k\(key) survives") }
        #expect(values.count < 120)
        try await storage.close()
    }

    @Test func aSmallOpenFileLimitSizesTheCacheDown() {
        let store = MessageStore()
        let sized = DescriptorCache.capacity(configured: 1024, limit: OpenFileLimit(soft: 600, hard: 600), logger: store.logger)
        #expect(sized == 600 - DescriptorCache.reserve)
        #expect(store.messages.contains { $0.contains("maxOpenFiles does not fit") })
        #expect(DescriptorCache.capacity(configured: 1024, limit: OpenFileLimit(soft: 100, hard: 100), logger: quietLogger)
            == DescriptorCache.minimumCapacity)
        #expect(DescriptorCache.capacity(configured: 1024, limit: OpenFileLimit(soft: nil, hard: nil), logger: quietLogger) == 1024)
        #expect(DescriptorCache.capacity(configured: 500, limit: OpenFileLimit(soft: 1024, hard: 4096), logger: quietLogger) == 500)
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
