import ConformanceKit
import Foundation
import NIOCore
import SluiceKernel

/// `truncateFully(startingAt:)` (a follower restarting at the leader's log start): the
/// log empties, starts and ends at the new offset even past its old end, appends continue
/// there, and durable storage keeps it.
extension LogStorageConformance {
    func truncateFully(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("truncate-fully", 0), config: Self.smallSegments)
        for i in 0..<10 { _ = try await log.append([makeBatch(3, tag: "t\(i)", valueSize: 60)]) }
        try await log.recordAbortedTransaction(AbortedTransactionEntry(producerId: 9, firstOffset: 3, lastOffset: 5, lastStableOffset: 3))
        try await log.truncateFully(startingAt: 100)
        let after = try await log.offsets()
        try conform(after.logStartOffset == 100 && after.logEndOffset == 100,
                    "after truncateFully(startingAt: 100) the log must be [100, 100), got [\(after.logStartOffset), \(after.logEndOffset))")
        try await conformThrows("reading offset 29, below the restarted log",
                                { try await log.read(from: 29, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true) },
                                matches: isOutOfRange)
        let empty = try await log.read(from: 100, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true)
        try conform(empty.payload.byteCount == 0, "reading at the restarted log end returns nothing")
        let aborted = try await log.abortedTransactions(from: 0, upTo: 200)
        try conform(aborted.isEmpty, "truncateFully must drop every aborted-transaction entry, got \(aborted)")
        let next = try await log.append([makeBatch(2, tag: "new")])
        try conform(next.firstOffset == 100 && next.logEndOffset == 102, "appends continue at 100, got \(next)")
        let all = try await readAll(log, from: 100)
        try conform(all.count == 1 && all.first?.baseOffset == 100, "only the new batch is readable from 100")

        try await log.truncateFully(startingAt: 50)
        let lower = try await log.offsets()
        try conform(lower.logStartOffset == 50 && lower.logEndOffset == 50,
                    "truncateFully may also restart below the old start: expected [50, 50), got [\(lower.logStartOffset), \(lower.logEndOffset))")
        try conform(try await log.append([makeBatch(1, tag: "low")]).firstOffset == 50, "appends continue at 50")
    }

    func truncateFullySurvivesReopen() async throws {
        let tp = TopicPartition("truncate-fully-reopen", 0)
        try await withStorage { first in
            let log = try await first.open(tp, config: Self.smallSegments)
            for i in 0..<10 { _ = try await log.append([makeBatch(3, tag: "r\(i)", valueSize: 60)]) }
            try await log.truncateFully(startingAt: 70)
            _ = try await log.append([makeBatch(4, tag: "kept")])
        }
        try await withStorage { storage in
            let log = try await storage.open(tp, config: Self.smallSegments)
            let offsets = try await log.offsets()
            try conform(offsets.logStartOffset == 70 && offsets.logEndOffset == 74,
                        "after reopening, the restarted log must be [70, 74), got [\(offsets.logStartOffset), \(offsets.logEndOffset))")
            let all = try await readAll(log, from: 70)
            try conform(all.count == 1 && all.first?.baseOffset == 70 && all.first?.lastOffset == 73,
                        "the batch appended after the restart stays readable after reopening")
        }
    }
}
