import ConformanceKit
import Foundation
import NIOCore
import SluiceKernel

/// `advanceLogStart` (Kafka's DeleteRecords): the start moves forward only, reads below it
/// fail as after retention, whole segments below it go, and durable storage keeps it.
extension LogStorageConformance {
    func advanceLogStart(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("log-start", 0), config: Self.smallSegments)
        for i in 0..<15 { _ = try await log.append([makeBatch(3, tag: "d\(i)", valueSize: 60)]) }
        let before = try await log.offsets()
        try conform(before.logStartOffset == 0 && before.logEndOffset == 45, "15 batches of 3 fill [0, 45), got \(before)")

        let moved = try await log.advanceLogStart(to: 7)
        try conform(moved == 7, "advancing the log start to 7 (inside a batch) must return 7, got \(moved)")
        try conform(try await log.offsets().logStartOffset == 7, "offsets() must report the new log start 7")
        try await conformThrows("reading offset 6, below the new log start",
                                { try await log.read(from: 6, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true) },
                                matches: isOutOfRange)
        let first = try batches(in: try await log.read(from: 7, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true)).first
        try conform(first.map { $0.baseOffset <= 7 && $0.lastOffset >= 7 } ?? false,
                    "reading at the log start returns the batch holding it, got \(String(describing: first?.baseOffset))")

        let back = try await log.advanceLogStart(to: 3)
        try conform(back == 7, "the log start never moves backward: advancing to 3 must leave 7, got \(back)")
        try conform(try await log.offsets().logStartOffset == 7, "a lower offset must not move the log start")

        let far = try await log.advanceLogStart(to: 40)
        let after = try await log.offsets()
        try conform(far == 40 && after.logStartOffset == 40, "advancing to 40 must make 40 the log start, got \(far) / \(after.logStartOffset)")
        try conform(after.sizeBytes < before.sizeBytes, "whole segments below the log start must be deleted (size \(before.sizeBytes) → \(after.sizeBytes))")
        try conform(after.logEndOffset == 45, "advancing the log start must not change the log end (45), got \(after.logEndOffset)")
        try await conformThrows("reading offset 39, below the log start",
                                { try await log.read(from: 39, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true) },
                                matches: isOutOfRange)

        try await conformThrows("advancing the log start past the log end",
                                { try await log.advanceLogStart(to: 46) }, matches: isOutOfRange)
        let retained = try await log.applyRetention(RetentionPolicy(), now: Date())
        try conform(retained.logStartOffset == 40, "retention must keep the advanced log start 40, got \(retained.logStartOffset)")

        let end = try await log.advanceLogStart(to: 45)
        try conform(end == 45, "advancing to the log end empties the log, got log start \(end)")
        let read = try await log.read(from: 45, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true)
        try conform(read.payload.byteCount == 0, "reading at the log end after deleting everything returns nothing")
        let next = try await log.append([makeBatch(2, tag: "after")])
        try conform(next.firstOffset == 45, "appends continue at the log end 45, got \(next.firstOffset)")
        let kept = try await readAll(log, from: 45)
        try conform(kept.first?.baseOffset == 45 && kept.count == 1, "only the new batch is readable from 45")
        try conform(try await log.offsets().logStartOffset == 45, "the log start stays 45 after the append")
    }

    func logStartSurvivesReopen() async throws {
        let tp = TopicPartition("log-start-reopen", 0)
        try await withStorage { first in
            let log = try await first.open(tp, config: Self.smallSegments)
            for i in 0..<10 { _ = try await log.append([makeBatch(3, tag: "r\(i)", valueSize: 60)]) }
            let moved = try await log.advanceLogStart(to: 13)
            try conform(moved == 13, "advancing the log start to 13 must return 13, got \(moved)")
        }
        try await withStorage { storage in
            let log = try await storage.open(tp, config: Self.smallSegments)
            let offsets = try await log.offsets()
            try conform(offsets.logStartOffset == 13, "after reopening, the log start must still be 13, got \(offsets.logStartOffset)")
            try conform(offsets.logEndOffset == 30, "after reopening, the log end must be 30, got \(offsets.logEndOffset)")
            try await conformThrows("reading offset 12 after reopening",
                                    { try await log.read(from: 12, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true) },
                                    matches: isOutOfRange)
            let all = try await readAll(log, from: 13)
            try conform(all.last?.lastOffset == 29, "records from 13 on stay readable after reopening")
        }
    }
}
