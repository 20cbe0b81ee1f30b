import ConformanceKit
import Foundation
import NIOCore
import SluiceKernel

extension LogStorageConformance {
    func appendReadRoundTrip(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("roundtrip", 0), config: storage.defaultLogConfig)
        let batch = makeBatch(3, tag: "a")
        let info = try await log.append([batch])
        try conform(info.firstOffset == 0 && info.lastOffset == 2 && info.logEndOffset == 3,
                    "first append should get offsets 0...2 with log end 3, got \(info)")
        let read = try await readAll(log)
        try conform(read.count == 1, "expected 1 batch back, got \(read.count)")
        try conform(bytesOf(read[0]) == bytesOf(batch), "the batch read back differs from the one appended")
        let records = try read[0].records()
        try conform(records.map(\.offset) == [0, 1, 2], "record offsets should be 0, 1, 2, got \(records.map(\.offset))")
        try conform(records.map(\.value) == (try batch.records()).map(\.value), "record values differ after the round trip")
    }

    func baseOffsetRewritten(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("rewrite", 0), config: storage.defaultLogConfig)
        _ = try await log.append([makeBatch(2, tag: "first")])
        var batch = makeBatch(2, tag: "b")
        batch.setBaseOffset(987_654)
        let info = try await log.append([batch])
        try conform(info.firstOffset == 2, "the second batch should start at offset 2, got \(info.firstOffset)")
        let read = try await readAll(log, from: 2)
        try conform(read.first?.baseOffset == 2, "stored base offset should be rewritten to 2, got \(String(describing: read.first?.baseOffset))")
        try conform((try? read.first?.verifyCRC()) != nil, "the stored batch must still pass its CRC check")
    }

    func offsetsContiguous(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("contiguous", 0), config: storage.defaultLogConfig)
        let sizes = [1, 5, 2, 7]
        var expectedFirst: Int64 = 0
        for (i, size) in sizes.enumerated() {
            let info = try await log.append([makeBatch(size, tag: "c\(i)")])
            try conform(info.firstOffset == expectedFirst, "append \(i) should start at \(expectedFirst), got \(info.firstOffset)")
            try conform(info.lastOffset == expectedFirst + Int64(size) - 1, "append \(i) last offset wrong: \(info)")
            expectedFirst += Int64(size)
        }
        let multi = try await log.append([makeBatch(3, tag: "m1"), makeBatch(4, tag: "m2")])
        try conform(multi.firstOffset == expectedFirst && multi.lastOffset == expectedFirst + 6,
                    "a two-batch append should cover \(expectedFirst)...\(expectedFirst + 6), got \(multi)")
        let all = try await readAll(log)
        var next: Int64 = 0
        for batch in all {
            try conform(batch.baseOffset == next, "batch base offset \(batch.baseOffset) should be \(next)")
            next = batch.lastOffset + 1
        }
        try conform(next == expectedFirst + 7, "log should end at \(expectedFirst + 7), read ended at \(next)")
        let offsets = try await log.offsets()
        try conform(offsets.logEndOffset == next && offsets.logStartOffset == 0, "offsets() disagrees: \(offsets)")
    }

    func readFromInsideBatch(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("inside", 0), config: storage.defaultLogConfig)
        _ = try await log.append([makeBatch(4, tag: "x")])
        _ = try await log.append([makeBatch(4, tag: "y")])
        let result = try await log.read(from: 6, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true)
        let got = try batches(in: result)
        try conform(got.first?.baseOffset == 4, "reading offset 6 must return the batch holding it (base 4), got \(got.map(\.baseOffset))")
    }

    func readAtAndPastEnd(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("end", 0), config: storage.defaultLogConfig)
        let empty = try await log.read(from: 0, maxBytes: 1000, maxOffset: nil, minOneBatch: true)
        try conform(empty.payload.byteCount == 0, "reading an empty log at 0 must return nothing")
        _ = try await log.append([makeBatch(3, tag: "e")])
        let atEnd = try await log.read(from: 3, maxBytes: 1000, maxOffset: nil, minOneBatch: true)
        try conform(atEnd.payload.byteCount == 0 && atEnd.logEndOffset == 3, "reading at the log end must return nothing, log end 3")
        try await conformThrows("reading past the log end", { try await log.read(from: 4, maxBytes: 1000, maxOffset: nil, minOneBatch: true) },
                                matches: isOutOfRange)
        try await conformThrows("reading below the log start", { try await log.read(from: -1, maxBytes: 1000, maxOffset: nil, minOneBatch: true) },
                                matches: isOutOfRange)
    }

    func byteLimits(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("limits", 0), config: storage.defaultLogConfig)
        var sizes: [Int] = []
        for i in 0..<5 {
            let batch = makeBatch(2, tag: "l\(i)")
            sizes.append(batch.byteCount)
            _ = try await log.append([batch])
        }
        let twoAndAHalf = sizes[0] + sizes[1] + sizes[2] / 2
        let limited = try batches(in: try await log.read(from: 0, maxBytes: twoAndAHalf, maxOffset: nil, minOneBatch: true))
        try conform(limited.count == 2, "maxBytes of 2.5 batches must return exactly 2 whole batches, got \(limited.count)")
        let tiny = try batches(in: try await log.read(from: 0, maxBytes: 10, maxOffset: nil, minOneBatch: true))
        try conform(tiny.count == 1, "with minOneBatch a limit below one batch must still return 1 batch, got \(tiny.count)")
        let none = try await log.read(from: 0, maxBytes: 10, maxOffset: nil, minOneBatch: false)
        try conform(none.payload.byteCount == 0, "without minOneBatch a limit below one batch must return nothing")
    }

    func maxOffset(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("maxoffset", 0), config: storage.defaultLogConfig)
        for i in 0..<3 { _ = try await log.append([makeBatch(2, tag: "h\(i)")]) }
        let got = try batches(in: try await log.read(from: 0, maxBytes: 1 << 20, maxOffset: 4, minOneBatch: true))
        try conform(got.map(\.baseOffset) == [0, 2], "maxOffset 4 must stop before the batch at 4, got \(got.map(\.baseOffset))")
        let atLimit = try await log.read(from: 4, maxBytes: 1 << 20, maxOffset: 4, minOneBatch: true)
        try conform(atLimit.payload.byteCount == 0, "reading at maxOffset must return nothing")
    }

    func timestampLookup(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("timestamps", 0), config: storage.defaultLogConfig)
        for (i, ts) in [Int64(1_000_000), 5_000_000, 3_000_000].enumerated() {
            _ = try await log.append([makeBatch(2, tag: "t\(i)", timestamp: ts)])
        }
        let early = try await log.batch(atOrAfterTimestamp: 0)
        try conform(early?.baseOffset == 0, "timestamp 0 must find the first batch, got \(String(describing: early))")
        let middle = try await log.batch(atOrAfterTimestamp: 1_500_000)
        try conform(middle?.baseOffset == 2, "timestamp 1.5e6 must find the batch at offset 2, got \(String(describing: middle))")
        let late = try await log.batch(atOrAfterTimestamp: 9_000_000)
        try conform(late == nil, "a timestamp after every record must find nothing, got \(String(describing: late))")
        let max = try await log.batchWithMaxTimestamp()
        try conform(max?.baseOffset == 2 && max?.maxTimestamp == 5_000_001, "the max-timestamp batch is at 2 with 5000001, got \(String(describing: max))")
    }

    func truncation(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("truncate", 0), config: storage.defaultLogConfig)
        for i in 0..<3 { _ = try await log.append([makeBatch(3, tag: "r\(i)")]) }
        try await conformThrows("truncating inside a batch", { try await log.truncate(to: 4) }) { error in
            if case StorageError.notBatchBoundary = error { return true }
            return false
        }
        try await log.truncate(to: 100)
        try conform(try await log.offsets().logEndOffset == 9, "truncating past the end must change nothing")
        try await log.truncate(to: 3)
        try conform(try await log.offsets().logEndOffset == 3, "after truncating to 3 the log must end at 3")
        let left = try await readAll(log)
        try conform(left.map(\.baseOffset) == [0], "only the first batch may remain, got \(left.map(\.baseOffset))")
        let next = try await log.append([makeBatch(1, tag: "after")])
        try conform(next.firstOffset == 3, "the next append after truncation must get offset 3, got \(next.firstOffset)")
    }
}
