import ConformanceKit
import Foundation
import SluiceKernel

/// The aborted-transaction index (`recordAbortedTransaction` / `abortedTransactions`):
/// entries are found by overlap with a range, in marker order, recorded once, dropped
/// with the data that held their marker, and kept by durable storage across a reopen.
extension LogStorageConformance {
    static let abortedEntries = [
        AbortedTransactionEntry(producerId: 1, firstOffset: 0, lastOffset: 5, lastStableOffset: 6),
        AbortedTransactionEntry(producerId: 2, firstOffset: 3, lastOffset: 20, lastStableOffset: 21),
        AbortedTransactionEntry(producerId: 3, firstOffset: 21, lastOffset: 40, lastStableOffset: 41),
    ]

    func abortedTransactionIndex(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("aborted-index", 0), config: Self.smallSegments)
        for i in 0..<15 { _ = try await log.append([makeBatch(3, tag: "t\(i)", valueSize: 60)]) }
        let (e1, e2, e3) = (Self.abortedEntries[0], Self.abortedEntries[1], Self.abortedEntries[2])
        try conform(try await log.abortedTransactions(from: 0, upTo: 45).isEmpty, "a log with no aborted transaction recorded lists none")
        for entry in Self.abortedEntries { try await log.recordAbortedTransaction(entry) }
        try await log.recordAbortedTransaction(e2)

        let all = try await log.abortedTransactions(from: 0, upTo: 45)
        try conform(all == [e1, e2, e3], "[0, 45) must list the three entries once each, in marker order; got \(all)")
        let middle = try await log.abortedTransactions(from: 6, upTo: 21)
        try conform(middle == [e2], "[6, 21) overlaps only producer 2's transaction (3...20): producer 1's ended at 5, "
                    + "producer 3's starts at 21 (the end is exclusive); got \(middle)")
        let wider = try await log.abortedTransactions(from: 6, upTo: 22)
        try conform(wider == [e2, e3], "[6, 22) overlaps producers 2 and 3; got \(wider)")
        let atMarker = try await log.abortedTransactions(from: 40, upTo: 41)
        try conform(atMarker == [e3], "a range starting at a marker's offset still lists its transaction; got \(atMarker)")
        let past = try await log.abortedTransactions(from: 41, upTo: 45)
        try conform(past.isEmpty, "a range after every marker lists nothing; got \(past)")
        let empty = try await log.abortedTransactions(from: 10, upTo: 10)
        try conform(empty.isEmpty, "an empty range lists nothing; got \(empty)")

        try await log.truncate(to: 39)
        let truncated = try await log.abortedTransactions(from: 0, upTo: 100)
        try conform(truncated == [e1, e2], "a truncation to 39 removes the entry whose marker (40) it cut; got \(truncated)")
        _ = try await log.append([makeBatch(3, tag: "again", valueSize: 60)])
        try await log.recordAbortedTransaction(e3)
        let rerecorded = try await log.abortedTransactions(from: 0, upTo: 100)
        try conform(rerecorded == [e1, e2, e3], "an entry can be recorded again once its marker offset is written again; got \(rerecorded)")

        _ = try await log.advanceLogStart(to: 30)
        let afterStart = try await log.abortedTransactions(from: 0, upTo: 100)
        try conform(!afterStart.contains(e1), "deleting the segments below 30 must drop the entry whose marker (5) they held; got \(afterStart)")
        try conform(afterStart.contains(e3), "the entry whose marker (40) is still stored must stay; got \(afterStart)")
    }

    /// `RetentionPolicy.firstOffsetToKeep` (an open transaction's first offset): retention
    /// deletes only segments wholly below it, however old or large the log.
    func retentionKeepsFirstOffsetToKeep(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("retention-keep", 0), config: Self.smallSegments)
        for i in 0..<15 { _ = try await log.append([makeBatch(3, tag: "k\(i)", timestamp: 1_000, valueSize: 60)]) }
        let result = try await log.applyRetention(RetentionPolicy(retentionMs: 1, retentionBytes: 1, firstOffsetToKeep: 20), now: Date())
        try conform(result.logStartOffset > 0, "segments wholly below offset 20 must still be deleted; the log start stayed at 0")
        try conform(result.logStartOffset <= 20, "offset 20 and above must be kept; the log start moved to \(result.logStartOffset)")
        let kept = try await readAll(log, from: result.logStartOffset)
        try conform(kept.first.map { $0.baseOffset <= 20 } ?? false && kept.last?.lastOffset == 44,
                    "the records from 20 to the log end must stay readable")
        let unbounded = try await log.applyRetention(RetentionPolicy(retentionMs: 1, retentionBytes: 1), now: Date())
        try conform(unbounded.logStartOffset > 20, "without the bound, retention deletes past 20 (log start \(unbounded.logStartOffset))")
    }

    func producerStateScanStartKept(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("scan-start", 0), config: Self.smallSegments)
        let initial = try await log.producerStateScanStart()
        try conform(initial == nil, "a new log holds no producer-state scan start, got \(String(describing: initial))")
        try await log.storeProducerStateScanStart(12)
        try await log.storeProducerStateScanStart(40)
        let stored = try await log.producerStateScanStart()
        try conform(stored == 40, "the last stored scan start (40) is returned, even past the log end, got \(String(describing: stored))")
    }

    func abortedTransactionsSurviveReopen() async throws {
        let tp = TopicPartition("aborted-index-reopen", 0)
        try await withStorage { first in
            let log = try await first.open(tp, config: Self.smallSegments)
            for i in 0..<15 { _ = try await log.append([makeBatch(3, tag: "r\(i)", valueSize: 60)]) }
            for entry in Self.abortedEntries { try await log.recordAbortedTransaction(entry) }
            try await log.storeProducerStateScanStart(21)
        }
        try await withStorage { storage in
            let log = try await storage.open(tp, config: Self.smallSegments)
            let all = try await log.abortedTransactions(from: 0, upTo: 45)
            try conform(all == Self.abortedEntries, "after reopening, the aborted transactions must be listed as before; got \(all)")
            try await log.recordAbortedTransaction(Self.abortedEntries[1])
            let again = try await log.abortedTransactions(from: 0, upTo: 45)
            try conform(again == Self.abortedEntries, "recording a held entry after reopening must not add it twice; got \(again)")
            let scanStart = try await log.producerStateScanStart()
            try conform(scanStart == 21, "the producer-state scan start (21) must survive the reopen, got \(String(describing: scanStart))")
        }
    }
}
