import Foundation
import Logging
import NIOCore
import SluiceKernel
import SluiceTestSupport
import Testing
@testable import SluiceSegmentLog

@Suite("recovery after unclean stops")
struct RecoveryTests {
    let tp = TopicPartition("recovery", 0)
    let config = PartitionLogConfig(segmentBytes: 4096)

    /// Appends `batches`, then drops the storage without closing it, as a crash would
    /// (no clean-shutdown record, nothing sealed). Returns the stored bytes per batch.
    /// `flushFirst`: a flush round (fsyncs, recovery checkpoint) runs after the appends.
    func appendAndCrash(_ dir: TemporaryDirectory, _ batches: [RecordBatch], flushFirst: Bool = false) async throws -> [[UInt8]] {
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 4096))
        let log = try await storage.open(tp, config: config)
        let offsets = try await appendEach(log, batches)
        if flushFirst {
            try await log.flush()
            await storage.flushAll()
        }
        return zip(batches, offsets).map { storedBytes($0, baseOffset: $1) }
    }

    func activeLogPath(_ dir: TemporaryDirectory) throws -> String {
        dir.partition(tp) + "/" + (try dir.logFiles(tp).last!)
    }

    func reopenAndRead(_ dir: TemporaryDirectory, logger: Logger = quietLogger) async throws -> (SegmentLogStorage, any PartitionLog, [[UInt8]]) {
        let storage = try await openStorageAfterCrash(dir, testConfiguration(segmentBytes: 4096), logger: logger)
        let log = try await storage.open(tp, config: config)
        return (storage, log, try await readAll(log).map { Array(buffer: $0.buffer) })
    }

    @Test(arguments: [0.5, 0.1, 0.99])
    func aTruncatedTailRecoversToTheLastWholeBatch(keptFraction: Double) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let stored = try await appendAndCrash(dir, (0..<30).map { batch(2, tag: "t\($0)", valueSize: 50) })
        let path = try activeLogPath(dir)
        let lastSize = stored.last!.count
        let full = try fileSize(path)
        let cut = full - Int64(Double(lastSize) * (1 - keptFraction))
        #expect(truncate(path, off_t(cut)) == 0)
        let messages = MessageStore()
        let (storage, log, read) = try await reopenAndRead(dir, logger: messages.logger)
        #expect(read == Array(stored.dropLast()), "every whole batch survives byte for byte")
        #expect(try await log.offsets().logEndOffset == 58)
        #expect(try fileSize(path) == full - Int64(lastSize), "the torn batch is cut off the file")
        #expect(messages.messages.contains { $0.contains("truncating a torn or corrupt tail") && $0.contains("truncatedBytes=") })
        #expect(try await log.append([batch(1, tag: "after")]).firstOffset == 58)
        try await storage.close()
    }

    @Test func aGarbageTailRecoversToTheLastWholeBatch() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let stored = try await appendAndCrash(dir, (0..<30).map { batch(2, tag: "g\($0)", valueSize: 50) })
        let path = try activeLogPath(dir)
        let whole = try fileSize(path)
        var generator = SeededGenerator.forTest()
        try appendBytes(generator.bytes(3000), to: path)
        let messages = MessageStore()
        let (storage, log, read) = try await reopenAndRead(dir, logger: messages.logger)
        #expect(read == stored)
        #expect(try fileSize(path) == whole)
        #expect(try await log.offsets().logEndOffset == 60)
        #expect(messages.messages.contains { $0.contains("truncatedBytes=3000") })
        try await storage.close()
    }

    @Test func aTailBatchWithABadChecksumIsCutAndLogged() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let stored = try await appendAndCrash(dir, (0..<10).map { batch(2, tag: "c\($0)", valueSize: 50) })
        let path = try activeLogPath(dir)
        // A well-formed header with the next offset but one flipped record byte.
        var forged = stored.last!
        forged.replaceSubrange(0..<8, with: withUnsafeBytes(of: Int64(20).bigEndian, Array.init))
        forged[forged.count - 3] ^= 0xFF
        try appendBytes(forged, to: path)
        let messages = MessageStore()
        let (storage, _, read) = try await reopenAndRead(dir, logger: messages.logger)
        #expect(read == stored)
        #expect(messages.messages.contains { $0.contains("CRC-32C mismatch") })
        try await storage.close()
    }

    @Test func deletedIndexFilesAreRebuiltIdentically() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 4096, indexIntervalBytes: 200))
        let log = try await storage.open(tp, config: config)
        let stamps: [Int64] = (0..<60).map { (i: Int) -> Int64 in 1_000_000 + Int64(i % 7) * 10_000 + Int64(i) }
        let offsets = try await appendEach(log, stamps.map { batch(2, tag: "x\($0)", timestamp: $0, valueSize: 40) })
        try await storage.close()
        let partition = dir.partition(tp)
        let indexes = try FileManager.default.contentsOfDirectory(atPath: partition).filter { $0.hasSuffix("index") }.sorted()
        #expect(indexes.count == 2 * (try dir.logFiles(tp).count) && indexes.count > 4)
        let originals = try indexes.map { try Data(contentsOf: URL(fileURLWithPath: partition + "/" + $0)) }
        for name in indexes { try FileManager.default.removeItem(atPath: partition + "/" + name) }

        let reopened = try openStorage(dir, testConfiguration(segmentBytes: 4096, indexIntervalBytes: 200))
        let again = try await reopened.open(tp, config: config)
        let rebuilt = try indexes.map { try Data(contentsOf: URL(fileURLWithPath: partition + "/" + $0)) }
        #expect(rebuilt == originals)
        for (i, offset) in offsets.enumerated() where i % 5 == 0 {
            let read = try await again.read(from: offset + 1, maxBytes: 1, maxOffset: nil, minOneBatch: true)
            #expect(try RecordBatch.parse(read.payload.load()).first?.baseOffset == offset)
        }
        #expect(try await again.batch(atOrAfterTimestamp: 1_060_000)?.baseOffset == offsets[6])
        try await reopened.close()
    }

    @Test func anIndexPointingAtTheWrongPlaceIsRebuilt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir, testConfiguration(segmentBytes: 1 << 20, indexIntervalBytes: 200))
        let log = try await storage.open(tp, config: config)
        let offsets = try await appendEach(log, (0..<20).map { batch(2, tag: "w\($0)", valueSize: 40) })
        try await storage.close()
        let index = dir.partition(tp) + "/00000000000000000000.index"
        let original = try Data(contentsOf: URL(fileURLWithPath: index))
        try appendBytes([0, 0, 0, 3, 0, 0, 0, 17], to: index)
        let messages = MessageStore()
        let reopened = try openStorage(dir, testConfiguration(segmentBytes: 1 << 20, indexIntervalBytes: 200), logger: messages.logger)
        let again = try await reopened.open(tp, config: config)
        #expect(messages.messages.contains { $0.contains("validated a segment's tail") && $0.contains("indexes=rewritten") })
        #expect(try Data(contentsOf: URL(fileURLWithPath: index)) == original, "the stray entry is cut, the others kept")
        #expect(try await readAll(again).map(\.baseOffset) == offsets)
        #expect(await reopened.recoveryStatistics.recoveredSegments == 1)
        try await reopened.close()
    }

    @Test func cleanCloseLeavesARecordThatTheNextOpenConsumes() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir)
        let log = try await storage.open(tp, config: config)
        try await appendEach(log, (0..<5).map { batch(3, tag: "m\($0)") })
        try await storage.close()
        await #expect(throws: StorageError.closed(tp)) { try await log.offsets() }
        let record = dir.path + "/" + RecoveryCheckpoint.cleanShutdownName
        let summaries = try #require(try SummaryFile.read(record))
        #expect(summaries[tp]?.last?.nextOffset == 15)
        #expect(!FileManager.default.fileExists(atPath: dir.partition(tp) + "/clean-shutdown"), "one record for the storage, none per partition")
        let messages = MessageStore()
        let reopened = try openStorage(dir, logger: messages.logger)
        #expect(reopened.openedAfterCleanShutdown)
        #expect(!FileManager.default.fileExists(atPath: record), "the record vouches for one start only")
        #expect(try SummaryFile.read(dir.path + "/" + RecoveryCheckpoint.checkpointName) == summaries, "it became the recovery checkpoint")
        let again = try await reopened.open(tp, config: config)
        #expect(try await again.offsets().logEndOffset == 15)
        #expect(!messages.messages.contains { $0.contains("unclean") }, "a clean stop needs no recovery")
        #expect(await reopened.recoveryStatistics.recoveredSegments == 0)
        try await reopened.close()
    }

    @Test func afterACrashOnlyBytesAfterTheLastFlushAreValidated() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // flush() waits for the background fsync of rolled segments and records the active
        // segment's state; the flush round writes the recovery checkpoint.
        let flushed = try await appendAndCrash(dir, (0..<60).map { batch(2, tag: "p\($0)", valueSize: 50) }, flushFirst: true)
        let segments = try dir.logFiles(tp)
        #expect(segments.count >= 3)
        var laterBytes: [[UInt8]] = []
        let activeAtFlush = segments.last!
        do {
            let quiet = try await openStorageAfterCrash(dir, testConfiguration(segmentBytes: 4096))
            let log = try await quiet.open(tp, config: config)
            let stats = await quiet.recoveryStatistics
            #expect(stats.trustedPartitions == 1 && stats.recoveredSegments == 0, "nothing was written after the flush: \(stats)")
            let later = (0..<3).map { batch(2, tag: "q\($0)", valueSize: 50) }
            let offsets = try await appendEach(log, later)
            laterBytes = zip(later, offsets).map { storedBytes($0, baseOffset: $1) }
        }
        // Crash again: the appends after the flush are validated, nothing else.
        let messages = MessageStore()
        let (storage, _, contents) = try await reopenAndRead(dir, logger: messages.logger)
        #expect(contents == flushed + laterBytes)
        let stats = await storage.recoveryStatistics
        #expect(stats.scannedBytes == Int64(laterBytes.map(\.count).reduce(0, +)), "\(stats)")
        // The segment active at the flush (its tail), and one the appends rolled to, if any.
        let read = messages.messages.filter { $0.contains("validated a segment's tail") || $0.contains("rebuilt segment indexes") }
        #expect(!read.isEmpty && read.allSatisfy { line in !segments.dropLast().contains { line.contains($0) } },
                "only segments from \(activeAtFlush) on: \(read)")
        try await storage.close()
    }
}
