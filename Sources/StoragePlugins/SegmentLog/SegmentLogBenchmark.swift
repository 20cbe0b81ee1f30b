import Foundation
import Logging
import NIOCore
import SluiceKernel

/// Measures the segment log against the disk it runs on, for `sluice bench storage`.
///
/// For each record size and flush policy it appends producer-sized batches to one
/// partition for a fixed time, then writes the same bytes in the same write sizes
/// straight to a file with the same fsync pattern (`RawDiskBenchmark`); the ratio of the
/// two is what the plugin costs. It also reads the log back and adds a group-commit case
/// (`always` with several partitions appending at once).
public enum SegmentLogBenchmark {
    /// What to measure. The defaults take about half a minute.
    public struct Options: Sendable {
        /// Scratch directory; everything written below it is removed afterwards.
        public var directory: URL
        /// Time spent on each case (appends and raw writes together), in seconds. Default 4.
        public var secondsPerCase: Double = 4
        /// Record value sizes, in bytes. Default 100 and 1024.
        public var recordSizes: [Int] = [100, 1024]
        /// Bytes of record values per batch (a producer's `batch.size`). Default 16384.
        public var batchBytes: Int = 16 * 1024
        /// Flush policies to measure. Default all three.
        public var policies: [FlushPolicy] = FlushPolicy.allCases
        /// For `interval`, in milliseconds. Default 1000.
        public var flushIntervalMs: Int64 = 1000
        /// Partitions appending at once in the group-commit case; 0 skips it. Default 4.
        public var concurrentPartitions: Int = 4
        /// Size of the file the raw read figure reads back, in bytes. Default 1 GiB.
        public var rawReadBytes: Int64 = 1 << 30
        /// Bytes written to a compacted partition for the cleaner figure; 0 skips it.
        /// Default 256 MiB, over 100,000 keys.
        public var cleanerBytes: Int64 = 256 << 20
        /// Distinct keys in those records. Default 100,000.
        public var cleanerKeys: Int = 100_000
        /// The cleaner's offset map for that figure, in bytes. Default 128 MiB.
        public var cleanerOffsetMapBytes: Int = SegmentLogStorageFactory.Configuration.defaultCleanerOffsetMapBytes

        /// Defaults, writing below `directory`.
        public init(directory: URL) { self.directory = directory }
    }

    /// One measured case.
    public struct Figure: Sendable, Equatable {
        /// What was measured, e.g. "append never 1024 B".
        public var name: String
        /// Bytes written or read (whole batches for the log).
        public var bytes: Int64
        /// Records in those bytes; for raw writes, the records the same batches hold.
        public var records: Int64
        /// Time spent in the measured calls, in seconds.
        public var seconds: Double
        /// Decimal megabytes (10^6 bytes) per second.
        public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds / 1_000_000 : 0 }
        public var recordsPerSecond: Double { seconds > 0 ? Double(records) / seconds : 0 }
    }

    /// An append case next to the raw write of the same disk with the same sync pattern.
    public struct Comparison: Sendable, Equatable {
        public var policy: FlushPolicy
        /// Record value size, in bytes.
        public var recordSize: Int
        /// Appends through the plugin.
        public var log: Figure
        /// The same bytes written straight to a file with the same fsync pattern.
        public var raw: Figure
        /// Log MB/s over raw MB/s.
        public var ratio: Double { raw.megabytesPerSecond > 0 ? log.megabytesPerSecond / raw.megabytesPerSecond : 0 }
    }

    /// Everything measured; `description` renders it as a table.
    public struct Report: Sendable, CustomStringConvertible {
        /// By record size, then policy.
        public var appends: [Comparison] = []
        /// Reads of the logs written by the `never` cases, and a raw read of a file.
        public var reads: [Figure] = []
        /// `always` with `concurrentPartitions` partitions appending at once (totals).
        public var groupCommit: Figure?
        /// One full clean of a compacted partition (bytes the cleaner read).
        public var cleaner: Figure?
        /// Offset-map bytes for 10M keys in one pass, and keys the configured map holds.
        public var cleanerMapBytesFor10MKeys = CleanerBenchmark.mapBytes(forKeys: 10_000_000)
        public var cleanerKeysPerPass = 0

        public var description: String {
            func f(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
            var lines = ["append (one partition)       log MB/s   records/s    raw MB/s   log/raw"]
            for c in appends {
                let name = "\(c.policy.rawValue), \(c.recordSize) B records".padding(toLength: 28, withPad: " ", startingAt: 0)
                lines.append("\(name) \(f(c.log.megabytesPerSecond).leftPadded(9)) \(f(c.log.recordsPerSecond, 0).leftPadded(11)) "
                             + "\(f(c.raw.megabytesPerSecond).leftPadded(11)) \(f(c.ratio, 2).leftPadded(9))")
            }
            if let g = groupCommit {
                lines.append("\(g.name): \(f(g.megabytesPerSecond)) MB/s, \(f(g.recordsPerSecond, 0)) records/s")
            }
            for r in reads { lines.append("\(r.name): \(f(r.megabytesPerSecond)) MB/s") }
            if let c = cleaner {
                lines.append("\(c.name): \(f(c.megabytesPerSecond)) MB/s, \(f(c.recordsPerSecond, 0)) records/s")
                lines.append("cleaner offset map for 10M keys in one pass: \(f(Double(cleanerMapBytesFor10MKeys) / 1_048_576)) MiB; "
                             + "the configured map holds \(cleanerKeysPerPass) keys per pass")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Runs every case (about `secondsPerCase` each, plus writing the raw read file) and
    /// removes what it wrote. `progress` is told which case starts.
    public static func run(_ options: Options, progress: @Sendable (String) -> Void = { _ in }) async throws -> Report {
        var report = Report()
        try FileManager.default.createDirectory(at: options.directory, withIntermediateDirectories: true)
        for recordSize in options.recordSizes {
            let template = makeBatch(recordSize: recordSize, batchBytes: options.batchBytes)
            for policy in options.policies {
                progress("append \(policy.rawValue), \(recordSize) B records")
                let scratch = options.directory.appendingPathComponent("log-\(policy.rawValue)-\(recordSize)")
                defer { try? FileManager.default.removeItem(at: scratch) }
                let storage = try makeStorage(scratch, policy: policy, options: options)
                let log = try await storage.open(TopicPartition("bench", 0), config: storage.defaultLogConfig)
                let (figure, raw) = try await paired(options, log: log, batch: template, policy: policy,
                                                     name: "append \(policy.rawValue) \(recordSize) B")
                if policy == .never {
                    progress("read \(recordSize) B records")
                    report.reads.append(try await readAll(log, name: "read, \(recordSize) B records (page cache)"))
                }
                try await storage.close()
                try? FileManager.default.removeItem(at: scratch)
                report.appends.append(Comparison(policy: policy, recordSize: recordSize, log: figure, raw: raw))
            }
        }
        progress("raw read")
        report.reads.append(try RawDiskBenchmark.read(in: options.directory, bytes: options.rawReadBytes, seconds: options.secondsPerCase))
        if options.concurrentPartitions > 0 {
            progress("group commit")
            report.groupCommit = try await groupCommit(options)
        }
        if options.cleanerBytes > 0 {
            progress("cleaner")
            report.cleaner = try await CleanerBenchmark.run(in: options.directory, bytes: options.cleanerBytes, keys: options.cleanerKeys,
                                                            offsetMapBytes: options.cleanerOffsetMapBytes)
            report.cleanerKeysPerPass = Int(Double(options.cleanerOffsetMapBytes / CompactionOffsetMap.bytesPerEntry) * CompactionOffsetMap.loadFactor)
        }
        return report
    }

    /// Appends and raw writes of the same size, one after the other, each timed on its
    /// own: the shared disk's speed drifts (other work, writeback) and a drift then
    /// affects both figures alike.
    static func paired(_ options: Options, log: any PartitionLog, batch: RecordBatch, policy: FlushPolicy,
                       name: String) async throws -> (log: Figure, raw: Figure) {
        let raw = try RawDiskBenchmark.Writer(in: options.directory, writeSize: batch.byteCount, policy: policy,
                                              flushIntervalMs: options.flushIntervalMs)
        defer { raw.finish() }
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int64(options.secondsPerCase * 1000))
        var logTime = Duration.zero, rawTime = Duration.zero
        var operations: Int64 = 0
        while clock.now < end {
            let t0 = clock.now
            _ = try await log.append([batch])
            let t1 = clock.now
            try raw.write()
            rawTime += clock.now - t1
            logTime += t1 - t0
            operations += 1
        }
        let bytes = operations * Int64(batch.byteCount), records = operations * Int64(batch.recordCount)
        return (Figure(name: name, bytes: bytes, records: records, seconds: logTime.seconds),
                Figure(name: "raw write \(policy.rawValue) \(batch.byteCount) B", bytes: bytes, records: records,
                       seconds: rawTime.seconds))
    }

    static func makeStorage(_ directory: URL, policy: FlushPolicy, options: Options) throws -> SegmentLogStorage {
        var config = SegmentLogStorageFactory.Configuration()
        config.flush = policy
        config.flushIntervalMs = options.flushIntervalMs
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        return try SegmentLogStorage(configuration: config, directory: directory, logger: logger)
    }

    /// A batch of `batchBytes / recordSize` records with random values and no keys.
    static func makeBatch(recordSize: Int, batchBytes: Int) -> RecordBatch {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var generator = SystemRandomNumberGenerator()
        let records = (0..<max(1, batchBytes / recordSize)).map { _ in
            Record(value: (0..<recordSize).map { _ in UInt8.random(in: 0...255, using: &generator) }, timestamp: now)
        }
        return RecordBatchBuilder().build(records)
    }

    static func appendFor(_ seconds: Double, log: any PartitionLog, batch: RecordBatch, name: String) async throws -> Figure {
        let clock = ContinuousClock()
        let start = clock.now
        let limit = Duration.milliseconds(Int64(seconds * 1000))
        var appends: Int64 = 0
        while clock.now - start < limit {
            _ = try await log.append([batch])
            appends += 1
        }
        let elapsed = (clock.now - start).seconds
        return Figure(name: name, bytes: appends * Int64(batch.byteCount), records: appends * Int64(batch.recordCount), seconds: elapsed)
    }

    static func readAll(_ log: any PartitionLog, name: String) async throws -> Figure {
        let clock = ContinuousClock()
        let start = clock.now
        var next: Int64 = 0
        var bytes: Int64 = 0
        var records: Int64 = 0
        while true {
            let result = try await log.read(from: next, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true)
            let loaded = try result.payload.load()
            guard loaded.readableBytes > 0 else { break }
            let batches = try RecordBatch.parse(loaded, verifyCRC: false)
            bytes += Int64(loaded.readableBytes)
            records += batches.reduce(0) { $0 + Int64($1.recordCount) }
            next = batches.last!.lastOffset + 1
        }
        return Figure(name: name, bytes: bytes, records: records, seconds: (clock.now - start).seconds)
    }

    /// `always` with several partitions appending at once: their fsyncs share rounds.
    static func groupCommit(_ options: Options) async throws -> Figure {
        let scratch = options.directory.appendingPathComponent("group-commit")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let storage = try makeStorage(scratch, policy: .always, options: options)
        let template = makeBatch(recordSize: 1024, batchBytes: options.batchBytes)
        var logs: [any PartitionLog] = []
        for p in 0..<options.concurrentPartitions {
            logs.append(try await storage.open(TopicPartition("bench", Int32(p)), config: storage.defaultLogConfig))
        }
        let name = "append always, 1024 B records, \(options.concurrentPartitions) partitions at once"
        let figures = try await withThrowingTaskGroup(of: Figure.self) { group in
            for log in logs {
                group.addTask { try await appendFor(options.secondsPerCase, log: log, batch: template, name: name) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await storage.close()
        let seconds = figures.map(\.seconds).max() ?? 0
        return Figure(name: name, bytes: figures.reduce(0) { $0 + $1.bytes }, records: figures.reduce(0) { $0 + $1.records },
                      seconds: seconds)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
