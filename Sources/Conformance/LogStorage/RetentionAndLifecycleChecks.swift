import ConformanceKit
import Foundation
import NIOCore
import SluiceKernel

extension LogStorageConformance {
    /// Small segments so retention has whole segments to delete.
    static let smallSegments = PartitionLogConfig(segmentBytes: 1024, segmentMs: 7 * 24 * 3_600_000)

    func retentionByTime(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("retention-time", 0), config: Self.smallSegments)
        let now = Date()
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let old = nowMs - 2 * 86_400_000
        for i in 0..<12 { _ = try await log.append([makeBatch(3, tag: "old\(i)", timestamp: old, valueSize: 60)]) }
        for i in 0..<3 { _ = try await log.append([makeBatch(3, tag: "new\(i)", timestamp: nowMs, valueSize: 60)]) }
        let result = try await log.applyRetention(RetentionPolicy(retentionMs: 86_400_000), now: now)
        let offsets = try await log.offsets()
        try conform(result.logStartOffset > 0, "retention by time must delete old segments; log start stayed at 0")
        try conform(offsets.logStartOffset == result.logStartOffset, "offsets() must report the new log start \(result.logStartOffset)")
        try conform(result.logStartOffset <= 36, "records newer than retention (from offset 36) must survive; log start is \(result.logStartOffset)")
        try conform(offsets.logEndOffset == 45, "retention must not change the log end (45), got \(offsets.logEndOffset)")
        let first = try batches(in: try await log.read(from: result.logStartOffset, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true))
        try conform(first.first?.baseOffset == result.logStartOffset, "the log start must be the base offset of the first kept batch")
        try await conformThrows("reading a deleted offset", { try await log.read(from: 0, maxBytes: 1000, maxOffset: nil, minOneBatch: true) },
                                matches: isOutOfRange)
        let again = try await log.applyRetention(RetentionPolicy(retentionMs: 86_400_000), now: now)
        try conform(again.logStartOffset == result.logStartOffset && again.deletedBytes == 0, "a second retention pass must delete nothing")
    }

    func retentionBySize(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("retention-size", 0), config: Self.smallSegments)
        var largest = 0
        for i in 0..<15 {
            let batch = makeBatch(3, tag: "s\(i)", valueSize: 60)
            largest = max(largest, batch.byteCount)
            _ = try await log.append([batch])
        }
        let before = try await log.offsets()
        let limit: Int64 = 1500
        let result = try await log.applyRetention(RetentionPolicy(retentionBytes: limit), now: Date())
        let after = try await log.offsets()
        try conform(result.logStartOffset > 0, "retention by size must delete the oldest segments; log start stayed at 0")
        try conform(after.sizeBytes < before.sizeBytes, "size must shrink (\(before.sizeBytes) → \(after.sizeBytes))")
        try conform(after.sizeBytes <= limit + Int64(Self.smallSegments.segmentBytes + largest),
                    "after retention the size \(after.sizeBytes) must be within one segment of the limit \(limit)")
        try conform(result.deletedBytes == before.sizeBytes - after.sizeBytes, "deletedBytes must equal the size reduction")
    }

    func retentionKeepsActive(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("retention-active", 0), config: Self.smallSegments)
        for i in 0..<10 { _ = try await log.append([makeBatch(3, tag: "a\(i)", timestamp: 1_000, valueSize: 60)]) }
        let result = try await log.applyRetention(RetentionPolicy(retentionMs: 1, retentionBytes: 1), now: Date())
        let offsets = try await log.offsets()
        try conform(offsets.logEndOffset == 30, "retention must keep the log end at 30, got \(offsets.logEndOffset)")
        let kept = try await readAll(log, from: result.logStartOffset)
        try conform(kept.last?.lastOffset == 29, "the newest batch (active data) must survive retention")
        let next = try await log.append([makeBatch(1, tag: "next")])
        try conform(next.firstOffset == 30, "appends after retention continue at 30, got \(next.firstOffset)")
    }

    func reopenKeepsData() async throws {
        let tp = TopicPartition("reopen", 0)
        var appended: [[UInt8]] = []
        try await withStorage { first in
            let log = try await first.open(tp, config: first.defaultLogConfig)
            for i in 0..<3 {
                let batch = makeBatch(2, tag: "p\(i)")
                _ = try await log.append([batch])
                var stored = batch
                stored.setBaseOffset(Int64(i * 2))
                appended.append(bytesOf(stored))
            }
            try await log.flush()
        }
        try await withStorage { storage in
            try conform(try await storage.storedPartitions().contains(tp), "a reopened storage must list \(tp) in storedPartitions()")
            let log = try await storage.open(tp, config: storage.defaultLogConfig)
            let offsets = try await log.offsets()
            try conform(offsets.logEndOffset == 6, "after reopening, the log end must be 6, got \(offsets.logEndOffset)")
            let read = try await readAll(log)
            try conform(read.map(bytesOf) == appended, "after reopening, the batches must be byte-identical")
            let next = try await log.append([makeBatch(1, tag: "more")])
            try conform(next.firstOffset == 6, "appends after reopening continue at 6, got \(next.firstOffset)")
        }
    }

    func concurrentAppends(_ storage: any LogStorage) async throws {
        var logs: [any PartitionLog] = []
        for p in 0..<4 { logs.append(try await storage.open(TopicPartition("concurrent", Int32(p)), config: storage.defaultLogConfig)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for log in logs {
                group.addTask {
                    for i in 0..<50 { _ = try await log.append([makeBatch(2, tag: "c\(i)")]) }
                }
            }
            try await group.waitForAll()
        }
        for log in logs {
            let all = try await readAll(log)
            try conform(all.count == 50, "\(log.topicPartition) must hold 50 batches, got \(all.count)")
            try conform(all.enumerated().allSatisfy { $0.element.baseOffset == Int64($0.offset * 2) },
                        "\(log.topicPartition) offsets must be contiguous")
        }
    }

    func storedPartitionsAndDelete(_ storage: any LogStorage) async throws {
        let keep = TopicPartition("stored", 0)
        let gone = TopicPartition("stored", 1)
        for tp in [keep, gone] {
            _ = try await storage.open(tp, config: storage.defaultLogConfig).append([makeBatch(2, tag: "\(tp)")])
        }
        let stored = Set(try await storage.storedPartitions())
        try conform(stored.isSuperset(of: [keep, gone]), "storedPartitions() must list both partitions, got \(stored.sorted())")
        try await storage.delete(gone)
        let after = Set(try await storage.storedPartitions())
        try conform(!after.contains(gone) && after.contains(keep), "after delete only \(keep) remains, got \(after.sorted())")
        let reopened = try await storage.open(gone, config: storage.defaultLogConfig)
        try conform(try await reopened.offsets().logEndOffset == 0, "a deleted partition reopens empty")
    }

    func openTwice(_ storage: any LogStorage) async throws {
        let tp = TopicPartition("twice", 0)
        let a = try await storage.open(tp, config: storage.defaultLogConfig)
        let b = try await storage.open(tp, config: storage.defaultLogConfig)
        try conform(a === b, "opening an open partition again must return the same log")
    }

    func sizeReported(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("size", 0), config: storage.defaultLogConfig)
        var total: Int64 = 0
        for i in 0..<4 {
            let batch = makeBatch(i + 1, tag: "z\(i)")
            total += Int64(batch.byteCount)
            _ = try await log.append([batch])
        }
        let size = try await log.offsets().sizeBytes
        try conform(size == total, "sizeBytes must be the bytes of the stored batches (\(total)), got \(size)")
    }
}
