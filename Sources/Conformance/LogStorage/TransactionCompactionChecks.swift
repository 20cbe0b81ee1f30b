import ConformanceKit
import Foundation
import NIOCore
import SluiceKernel

/// Compaction of transactional data (PITFALLS "Compaction": control batches are never
/// deduplicated by key, aborted data is dropped whatever its key, a marker is kept until
/// its transaction's data is gone and then until its delete horizon).
extension LogStorageConformance {
    /// The layout both transaction checks write, offsets fixed:
    /// 0 committed "k" (producer 7), 1 its commit marker; 2–3 aborted "k","x" (producer 8),
    /// 4 its abort marker, indexed; 5 committed "y" (producer 8), 6 its commit marker;
    /// 7 committed "z" (producer 7), 8 its commit marker; then filler, "k" again outside
    /// any transaction, and more filler. Markers 6 and 8 are their producers' last batches.
    struct TransactionLayout {
        static let policy = CompactionPolicy(deleteRetentionMs: 60_000, minCompactionLagMs: 0, minCleanableDirtyRatio: 0)
        static let abortEntry = AbortedTransactionEntry(producerId: 8, firstOffset: 2, lastOffset: 4, lastStableOffset: 5)

        static func write(_ log: any PartitionLog) async throws -> KeyedWriter {
            var writer = KeyedWriter(log)
            func transactional(_ pid: Int64, _ sequence: Int32) -> RecordBatchBuilder {
                var builder = RecordBatchBuilder()
                builder.producerId = pid
                builder.producerEpoch = 0
                builder.baseSequence = sequence
                builder.isTransactional = true
                return builder
            }
            func marker(_ pid: Int64, commit: Bool) async throws {
                var builder = transactional(pid, -1)
                builder.isControl = true
                _ = try await log.append([builder.build([Record(key: [0, 0, 0, commit ? 1 : 0], value: [0, 0, 0, 0, 0, 0],
                                                                timestamp: 1_700_000_000_000)])])
            }
            try await writer.write(["k"], builder: transactional(7, 0))
            try await marker(7, commit: true)
            try await writer.write(["k", "x"], builder: transactional(8, 0))
            try await marker(8, commit: false)
            try await log.recordAbortedTransaction(abortEntry)
            try await writer.write(["y"], builder: transactional(8, 2))
            try await marker(8, commit: true)
            try await writer.write(["z"], builder: transactional(7, 1))
            try await marker(7, commit: true)
            for i in 0..<30 { try await writer.write(["f\(i % 3)"]) }
            try await writer.write(["k"])
            for i in 0..<30 { try await writer.write(["g\(i % 3)"]) }
            return writer
        }
    }

    func compactionDropsAbortedTransactions(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-aborted", 0), config: Self.compactSegments)
        var writer = try await TransactionLayout.write(log)
        let policy = TransactionLayout.policy
        let t0 = Date()
        _ = try await log.compact(policy, now: t0)
        let all = try await readAll(log)
        let records = try await readRecords(log)
        try conform(!records.contains { (2...3).contains($0.record.offset) }, "aborted records (offsets 2, 3) must be dropped whatever their keys")
        try conform(!records.contains { text($0.record.key) == "x" }, "the aborted key x must be gone")
        try conform(records.contains { text($0.record.value) == "y@5" }, "the committed y@5 stays")
        let end = try await log.offsets().logEndOffset
        try conform(try await log.abortedTransactions(from: 0, upTo: end).isEmpty,
                    "the abort's index entry goes with its data (its marker stays until its horizon)")
        guard let abort = all.first(where: { $0.baseOffset == 4 }), abort.isControl else {
            throw ConformanceViolation("the abort marker must stay until its delete horizon")
        }
        try conform(abort.attributes & 0x40 != 0 && abort.baseTimestamp == milliseconds(t0) + 60_000,
                    "the abort marker, its data gone, carries the delete horizon, got attributes \(abort.attributes) base \(abort.baseTimestamp)")
        guard let commit = all.first(where: { $0.baseOffset == 1 }), commit.isControl else {
            throw ConformanceViolation("a commit marker whose data this pass still met must stay")
        }
        try conform(commit.attributes & 0x40 == 0, "the commit marker at 1 has no horizon yet (its data was read this pass)")
        try conform(all.contains { $0.baseOffset == 6 && $0.isControl } && all.contains { $0.baseOffset == 8 && $0.isControl },
                    "the producers' last batches (their commit markers at 6 and 8) stay")

        // More dirty data, so a pass runs before the abort's horizon.
        for i in 0..<15 { try await writer.write(["h\(i % 3)"]) }
        _ = try await log.compact(policy, now: t0.addingTimeInterval(30))
        var batches = try await readAll(log)
        try conform(batches.contains { $0.baseOffset == 4 && $0.isControl }, "the abort marker stays before its horizon")
        guard let stamped = batches.first(where: { $0.baseOffset == 1 }), stamped.attributes & 0x40 != 0 else {
            throw ConformanceViolation("the commit marker at 1, its data superseded and gone, must now carry a delete horizon")
        }
        try conform(stamped.baseTimestamp == milliseconds(t0) + 90_000, "the horizon is that pass's time + delete.retention.ms")

        let due = try await log.compactionStats(policy, now: t0.addingTimeInterval(61))
        try conform(due.deleteHorizonReached && due.isDue(policy), "a marker's reached horizon makes the log due: \(due)")
        _ = try await log.compact(policy, now: t0.addingTimeInterval(61))
        batches = try await readAll(log)
        try conform(!batches.contains { $0.baseOffset == 4 }, "after its horizon the abort marker is removed")
        try conform(batches.contains { $0.baseOffset == 1 && $0.isControl }, "the commit marker stays until its own horizon")
        try conform(batches.contains { $0.baseOffset == 6 && $0.isControl } && batches.contains { $0.baseOffset == 8 && $0.isControl },
                    "a producer's last batch is never removed")
        _ = try await log.compact(policy, now: t0.addingTimeInterval(91))
        batches = try await readAll(log)
        try conform(!batches.contains { $0.baseOffset == 1 }, "after its horizon the commit marker is removed")
        let after = try await readAll(log, from: 2)
        try conform(after.first.map { $0.baseOffset >= 5 } ?? false, "a read at a removed offset moves on to the next batch")
    }

    /// Only durable storage: what one clean decided (aborted data and index entry gone, the
    /// marker's horizon) reads back the same after reopening.
    func compactedTransactionsSurviveReopen() async throws {
        let tp = TopicPartition("compact-aborted-reopen", 0)
        var cleaned: [[UInt8]] = []
        let t0 = Date()
        try await withStorage { first in
            let log = try await first.open(tp, config: Self.compactSegments)
            _ = try await TransactionLayout.write(log)
            _ = try await log.compact(TransactionLayout.policy, now: t0)
            cleaned = try await readAll(log).map(bytesOf)
            try await log.flush()
        }
        try await withStorage { storage in
            let log = try await storage.open(tp, config: Self.compactSegments)
            try conform(try await readAll(log).map(bytesOf) == cleaned, "a cleaned transactional log reads back byte-identical after reopening")
            let end = try await log.offsets().logEndOffset
            try conform(try await log.abortedTransactions(from: 0, upTo: end).isEmpty, "the dropped index entry stays dropped after reopening")
            let later = try await log.compactionStats(TransactionLayout.policy, now: t0.addingTimeInterval(61))
            try conform(later.deleteHorizonReached, "a marker's pending delete horizon survives reopening: \(later)")
        }
    }
}
