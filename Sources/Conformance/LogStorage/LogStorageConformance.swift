import ConformanceKit
import Foundation
import NIOCore
import SluiceKernel

/// The `LogStorage` contract as executable checks. Every storage plugin's tests run it
/// with their own factory:
///
/// ```swift
/// let report = await LogStorageConformance(durable: true) { try await MyStorage(at: dir) }.run()
/// #expect(report.failures.isEmpty, "\(report)")
/// ```
///
/// Checks run one after another; each opens a storage with `makeStorage`, uses topics of
/// its own, and closes it, so a plugin that locks its directory works. `makeStorage` must
/// reopen the same data each time it is called (that is what the reopen check tests).
public struct LogStorageConformance: Sendable {
    public typealias Factory = @Sendable () async throws -> any LogStorage

    /// Whether the plugin keeps data across close/reopen (false for in-memory storage
    /// whose factory makes a fresh store; the reopen check is then skipped).
    public var durable: Bool
    public var makeStorage: Factory

    public init(durable: Bool, makeStorage: @escaping Factory) {
        self.durable = durable
        self.makeStorage = makeStorage
    }

    /// Names of every check, in the order they run.
    public static let checkNames = [
        "appendReadRoundTrip", "baseOffsetRewritten", "offsetsContiguousAcrossBatches", "readFromInsideBatch",
        "readAtAndPastLogEnd", "byteLimitWholeBatches", "maxOffsetRespected", "timestampLookup",
        "truncation", "retentionByTime", "retentionBySize", "retentionKeepsActiveData",
        "reopenKeepsData", "concurrentAppendsToDifferentPartitions", "storedPartitionsAndDelete",
        "openTwiceReturnsSameLog", "openSeveralAtOnce", "sizeReported", "advanceLogStart", "logStartSurvivesReopen",
        "truncateFully", "truncateFullySurvivesReopen",
        "abortedTransactionIndex", "abortedTransactionsSurviveReopen", "retentionKeepsFirstOffsetToKeep", "producerStateScanStartKept",
    ] + compactionCheckNames

    /// The compaction checks (`PartitionLog.compact`), in the order they run;
    /// `compactionSurvivesReopen` runs only for durable storage.
    public static let compactionCheckNames = [
        "compactionKeepsLatestPerKey", "compactedBatchesValid", "readInsideRemovedRange", "activeSegmentNeverCleaned",
        "tombstonesAfterDeleteHorizon", "controlBatchesKept", "producersLastBatchKept", "minCompactionLagHonoured",
        "compactionStopsAtMaxCleanableOffset", "dirtyRatioAndMaxLag", "compressedBatchesThroughCodec",
        "compactionDropsAbortedTransactions", "compactionSurvivesReopen", "compactedTransactionsSurviveReopen",
    ]

    /// Runs every check and reports each one's result.
    public func run() async -> ConformanceReport {
        var report = ConformanceReport()
        await report.check("appendReadRoundTrip") { try await withStorage(appendReadRoundTrip) }
        await report.check("baseOffsetRewritten") { try await withStorage(baseOffsetRewritten) }
        await report.check("offsetsContiguousAcrossBatches") { try await withStorage(offsetsContiguous) }
        await report.check("readFromInsideBatch") { try await withStorage(readFromInsideBatch) }
        await report.check("readAtAndPastLogEnd") { try await withStorage(readAtAndPastEnd) }
        await report.check("byteLimitWholeBatches") { try await withStorage(byteLimits) }
        await report.check("maxOffsetRespected") { try await withStorage(maxOffset) }
        await report.check("timestampLookup") { try await withStorage(timestampLookup) }
        await report.check("truncation") { try await withStorage(truncation) }
        await report.check("retentionByTime") { try await withStorage(retentionByTime) }
        await report.check("retentionBySize") { try await withStorage(retentionBySize) }
        await report.check("retentionKeepsActiveData") { try await withStorage(retentionKeepsActive) }
        if durable {
            await report.check("reopenKeepsData") { try await reopenKeepsData() }
        }
        await report.check("concurrentAppendsToDifferentPartitions") { try await withStorage(concurrentAppends) }
        await report.check("storedPartitionsAndDelete") { try await withStorage(storedPartitionsAndDelete) }
        await report.check("openTwiceReturnsSameLog") { try await withStorage(openTwice) }
        await report.check("openSeveralAtOnce") { try await openSeveralAtOnce() }
        await report.check("sizeReported") { try await withStorage(sizeReported) }
        await report.check("advanceLogStart") { try await withStorage(advanceLogStart) }
        if durable {
            await report.check("logStartSurvivesReopen") { try await logStartSurvivesReopen() }
        }
        await report.check("truncateFully") { try await withStorage(truncateFully) }
        if durable {
            await report.check("truncateFullySurvivesReopen") { try await truncateFullySurvivesReopen() }
        }
        await report.check("abortedTransactionIndex") { try await withStorage(abortedTransactionIndex) }
        if durable {
            await report.check("abortedTransactionsSurviveReopen") { try await abortedTransactionsSurviveReopen() }
        }
        await report.check("retentionKeepsFirstOffsetToKeep") { try await withStorage(retentionKeepsFirstOffsetToKeep) }
        await report.check("producerStateScanStartKept") { try await withStorage(producerStateScanStartKept) }
        await report.check("compactionKeepsLatestPerKey") { try await withStorage(compactionKeepsLatestPerKey) }
        await report.check("compactedBatchesValid") { try await withStorage(compactedBatchesValid) }
        await report.check("readInsideRemovedRange") { try await withStorage(readInsideRemovedRange) }
        await report.check("activeSegmentNeverCleaned") { try await withStorage(activeSegmentNeverCleaned) }
        await report.check("tombstonesAfterDeleteHorizon") { try await withStorage(tombstonesAfterDeleteHorizon) }
        await report.check("controlBatchesKept") { try await withStorage(controlBatchesKept) }
        await report.check("producersLastBatchKept") { try await withStorage(producersLastBatchKept) }
        await report.check("minCompactionLagHonoured") { try await withStorage(minCompactionLagHonoured) }
        await report.check("compactionStopsAtMaxCleanableOffset") { try await withStorage(compactionStopsAtMaxCleanableOffset) }
        await report.check("dirtyRatioAndMaxLag") { try await withStorage(dirtyRatioAndMaxLag) }
        await report.check("compressedBatchesThroughCodec") { try await withStorage(compressedBatchesThroughCodec) }
        await report.check("compactionDropsAbortedTransactions") { try await withStorage(compactionDropsAbortedTransactions) }
        if durable {
            await report.check("compactionSurvivesReopen") { try await compactionSurvivesReopen() }
            await report.check("compactedTransactionsSurviveReopen") { try await compactedTransactionsSurviveReopen() }
        }
        return report
    }

    func withStorage(_ body: (any LogStorage) async throws -> Void) async throws {
        let storage = try await makeStorage()
        do {
            try await body(storage)
        } catch {
            try? await storage.close()
            throw error
        }
        try await storage.close()
    }
}

// MARK: Helpers shared by the checks

/// A batch of `count` records with distinct values, timestamps at `timestamp`.
func makeBatch(_ count: Int, tag: String, timestamp: Int64 = 1_700_000_000_000, valueSize: Int = 16) -> RecordBatch {
    let records = (0..<count).map { i in
        let value = Array("\(tag)-\(i)-".utf8) + [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: valueSize)
        return Record(key: Array("k\(i)".utf8), value: value, headers: [.init(key: "h", value: [1, 2])], timestamp: timestamp + Int64(i))
    }
    return RecordBatchBuilder().build(records)
}

/// The bytes of every batch in a read, parsed.
func batches(in result: LogReadResult) throws -> [RecordBatch] {
    try RecordBatch.parse(result.payload.load())
}

/// All batches of a log from `offset` to the end, following reads across segments.
func readAll(_ log: any PartitionLog, from offset: Int64 = 0) async throws -> [RecordBatch] {
    var all: [RecordBatch] = []
    var next = offset
    for _ in 0..<10_000 {
        let result = try await log.read(from: next, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true)
        let got = try batches(in: result)
        guard let last = got.last else { return all }
        all.append(contentsOf: got)
        next = last.lastOffset + 1
    }
    throw ConformanceViolation("reading the whole log did not finish after 10000 reads")
}

func bytesOf(_ batch: RecordBatch) -> [UInt8] { Array(buffer: batch.buffer) }

func isOutOfRange(_ error: any Error) -> Bool {
    if case StorageError.offsetOutOfRange = error { return true }
    return false
}
