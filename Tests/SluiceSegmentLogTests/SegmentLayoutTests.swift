import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SluiceKernel
import Testing
@testable import SluiceSegmentLog

@Suite("segment files: roll, indexes, reads")
struct SegmentLayoutTests {
    let tp = TopicPartition("layout", 0)

    @Test func rollsAtSegmentBytesAndNamesSegmentsByBaseOffset() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 1024))
        let log = try await storage.open(tp, config: PartitionLogConfig(segmentBytes: 1024))
        let batches = (0..<12).map { batch(3, tag: "r\($0)", valueSize: 60) }
        let size = batches[0].byteCount
        let offsets = try await appendEach(log, batches)
        let perSegment = 1024 / size
        let expected = stride(from: 0, to: 12, by: perSegment).map { SegmentFiles.name(offsets[$0]) + ".log" }
        #expect(try dir.logFiles(tp) == expected)
        for name in expected {
            let stem = dir.partition(tp) + "/" + name.dropLast(4)
            #expect(FileManager.default.fileExists(atPath: stem + ".index"))
            #expect(FileManager.default.fileExists(atPath: stem + ".timeindex"))
            #expect(try fileSize(stem + ".log") <= 1024)
        }
        try await storage.close()
    }

    @Test func readsSpanningSegmentsReturnEveryBatchByteForByte() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 1024))
        let log = try await storage.open(tp, config: PartitionLogConfig(segmentBytes: 1024))
        let batches = (0..<20).map { batch(1 + $0 % 4, tag: "s\($0)", valueSize: 40) }
        let offsets = try await appendEach(log, batches)
        #expect(try dir.logFiles(tp).count > 3)
        // One read with room for everything crosses every segment boundary.
        let all = try await log.read(from: 0, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true)
        let got = try RecordBatch.parse(all.payload.load())
        #expect(got.map { Array(buffer: $0.buffer) } == zip(batches, offsets).map { storedBytes($0, baseOffset: $1) })
        // Reads starting inside every batch return the batch holding the offset first.
        for (batch, base) in zip(batches, offsets) {
            for offset in base...(base + Int64(batch.lastOffsetDelta)) {
                let read = try await log.read(from: offset, maxBytes: 1, maxOffset: nil, minOneBatch: true)
                #expect(try RecordBatch.parse(read.payload.load()).map(\.baseOffset) == [base])
            }
        }
        try await storage.close()
    }

    @Test func aReadOf64KiBOrMoreWithinOneSegmentIsAFileRegion() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir)
        let log = try await storage.open(tp, config: storage.defaultLogConfig)
        let batches = (0..<5).map { batch(2, tag: "f\($0)", valueSize: 20_000) }
        try await appendEach(log, batches)
        let read = try await log.read(from: 2, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true)
        guard case .file(let region) = read.payload else {
            Issue.record("expected a file region for sendfile, got bytes")
            return
        }
        #expect(region.length >= SegmentLogOptions.defaultSmallestFileRegion)
        #expect(region.file.path.hasSuffix("/layout-0/00000000000000000000.log"))
        #expect(region.offset == Int64(batches[0].byteCount))
        #expect(try RecordBatch.parse(region.load()).map(\.baseOffset) == [2, 4, 6, 8])
        try await storage.close()
    }

    /// A fetch across thousands of partitions must not hold a descriptor per partition
    /// until its response is written: short reads come back as bytes.
    @Test func aReadShorterThan64KiBIsCopiedAndHoldsNoDescriptor() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir)
        let log = try await storage.open(tp, config: storage.defaultLogConfig)
        try await appendEach(log, (0..<5).map { batch(2, tag: "s\($0)") })
        let read = try await log.read(from: 2, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true)
        guard case .bytes(let bytes) = read.payload else {
            Issue.record("expected bytes for a short read, got a file region")
            return
        }
        #expect(try RecordBatch.parse(bytes).map(\.baseOffset) == [2, 4, 6, 8])
        try await storage.close()
    }

    @Test func byteLimitsAndMaxOffsetUseTheIndexAcrossManyBatches() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, testConfiguration(indexIntervalBytes: 100))
        let log = try await storage.open(tp, config: storage.defaultLogConfig)
        let batches = (0..<200).map { batch(1 + $0 % 3, tag: "i\($0)", valueSize: $0 % 50) }
        let offsets = try await appendEach(log, batches)
        let ends = zip(batches, offsets).map { $1 + Int64($0.lastOffsetDelta) }
        for start in stride(from: 0, to: 200, by: 17) {
            let budget = batches[start..<min(200, start + 9)].reduce(0) { $0 + $1.byteCount } - 1
            let got = try RecordBatch.parse(try await log.read(from: offsets[start], maxBytes: budget, maxOffset: nil,
                                                               minOneBatch: false).payload.load())
            #expect(got.count == min(8, 200 - start), "a budget one byte short of 9 batches returns 8 from \(start)")
            let limit = offsets[min(199, start + 5)]
            let capped = try RecordBatch.parse(try await log.read(from: offsets[start], maxBytes: 1 << 20, maxOffset: limit,
                                                                  minOneBatch: true).payload.load())
            #expect(capped.last.map { $0.lastOffset < limit } ?? true)
            #expect(capped.last?.lastOffset == ends[start + 4], "maxOffset stops before the batch at \(limit)")
        }
        try await storage.close()
        let index = dir.partition(tp) + "/00000000000000000000.index"
        #expect(try fileSize(index) > 8 * 20, "once sealed, the file has an entry roughly every 100 bytes of batches")
    }

    @Test func rollsWhenTheActiveSegmentIsOlderThanSegmentMs() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let clock = TestClock(Date(timeIntervalSince1970: 1_700_000_000))
        let storage = try openStorage(dir, clock: { clock.now })
        let log = try await storage.open(tp, config: PartitionLogConfig(segmentBytes: 1 << 20, segmentMs: 60_000))
        try await appendEach(log, [batch(1, tag: "a"), batch(1, tag: "b")])
        #expect(try dir.logFiles(tp).count == 1)
        clock.advance(by: 61)
        try await appendEach(log, [batch(1, tag: "c")])
        #expect(try dir.logFiles(tp) == ["00000000000000000000.log", "00000000000000000002.log"])
        try await storage.close()
    }

    @Test func timestampLookupsUseTheTimeIndexAcrossSegments() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 2048, indexIntervalBytes: 128))
        let log = try await storage.open(tp, config: PartitionLogConfig(segmentBytes: 2048))
        // Timestamps rise with a dip, so max-timestamp order and offset order differ.
        let stamps: [Int64] = (0..<60).map { $0 == 30 ? 5_000_000 : 1_000_000 + Int64($0) * 1000 }
        let offsets = try await appendEach(log, stamps.map { batch(2, tag: "t\($0)", timestamp: $0, valueSize: 20) })
        #expect(try dir.logFiles(tp).count > 2)
        for probe in [Int64(0), 1_000_000, 1_010_500, 1_029_001, 1_031_000, 1_059_001] {
            let want = stamps.indices.first { stamps[$0] + 1 >= probe }.map { offsets[$0] }
            #expect(try await log.batch(atOrAfterTimestamp: probe)?.baseOffset == want, "probe \(probe)")
        }
        #expect(try await log.batch(atOrAfterTimestamp: 5_000_002) == nil)
        let max = try await log.batchWithMaxTimestamp()
        #expect(max == LogBatchPosition(baseOffset: offsets[30], lastOffset: offsets[30] + 1, maxTimestamp: 5_000_001))
        try await storage.close()
    }
}

/// A settable wall clock for segment age.
final class TestClock: Sendable {
    private let current: NIOLockedValueBox<Date>
    init(_ start: Date) { current = NIOLockedValueBox(start) }
    var now: Date { current.withLockedValue { $0 } }
    func advance(by seconds: TimeInterval) { current.withLockedValue { $0 += seconds } }
}
