import Foundation
import Logging
import SluiceKernel

/// The log cleaner's figures for `sluice bench`: storage-level cleaning throughput of a
/// compacted partition, and the offset-map memory for a number of keys.
enum CleanerBenchmark {
    /// Writes `bytes` of 100-byte records over `keys` keys in 16 MiB segments (smaller for a small run), then times
    /// one full clean. The figure counts the bytes the cleaner read.
    static func run(in directory: URL, bytes: Int64, keys: Int, offsetMapBytes: Int) async throws -> SegmentLogBenchmark.Figure {
        let scratch = directory.appendingPathComponent("cleaner")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var configuration = SegmentLogStorageFactory.Configuration()
        configuration.segmentBytes = Int(max(1024, min(Int64(16 << 20), bytes / 8)))
        configuration.flush = .never
        configuration.cleanerOffsetMapBytes = offsetMapBytes
        let storage = try SegmentLogStorage(configuration: configuration, directory: scratch, logger: Logger(label: "sluice.bench.cleaner"))
        let log = try await storage.open(TopicPartition("bench-compact", 0), config: configuration.logConfig)
        var written: Int64 = 0
        var next = 0
        let value = [UInt8](repeating: 0x61, count: 100)
        while written < bytes {
            let records = (0..<100).map { i in
                Record(key: Array("key-\((next + i) % keys)".utf8), value: value, timestamp: 1_700_000_000_000)
            }
            next += 100
            let batch = RecordBatchBuilder().build(records)
            _ = try await log.append([batch])
            written += Int64(batch.byteCount)
        }
        let policy = CompactionPolicy(minCleanableDirtyRatio: 0)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await log.compact(policy, now: Date())
        let seconds = (clock.now - start).seconds
        try await storage.close()
        return SegmentLogBenchmark.Figure(
            name: "cleaner, \(keys) keys: \(result.bytesRead / 1_000_000) MB read → \(result.bytesWritten / 1_000_000) MB written",
            bytes: result.bytesRead, records: result.recordsKept + result.recordsRemoved, seconds: seconds)
    }

    /// Bytes of offset map that hold `keys` keys in one pass (24 bytes each, 90% full).
    static func mapBytes(forKeys keys: Int) -> Int {
        Int((Double(keys) / CompactionOffsetMap.loadFactor).rounded(.up)) * CompactionOffsetMap.bytesPerEntry
    }
}
