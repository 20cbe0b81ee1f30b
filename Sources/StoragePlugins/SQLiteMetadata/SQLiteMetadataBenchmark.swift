import Foundation
import SluiceKernel

/// Measures offset-commit throughput of ``SQLiteMetadataStore`` on a real file with
/// `synchronous=FULL`: the number that bounds how fast consumers can commit.
///
/// Commits are issued one after another, each awaited, as one consumer-group
/// coordinator does; every commit is one transaction and one WAL fsync, so the figures
/// mostly measure the disk's fsync latency.
public enum SQLiteMetadataBenchmark {
    /// Throughput figures of one run.
    public struct Result: Sendable, CustomStringConvertible {
        /// Single-partition commits completed per second.
        public var singlePartitionCommitsPerSecond: Double
        /// Commits of `batchSize` partitions (one transaction each) completed per second.
        public var batchCommitsPerSecond: Double
        /// Partitions per batch commit.
        public var batchSize: Int
        /// Partition offsets stored per second by batch commits.
        public var batchOffsetsPerSecond: Double { batchCommitsPerSecond * Double(batchSize) }
        /// Where the file was, since the file system decides fsync cost.
        public var path: String

        /// The figures as a few lines for a report.
        public var description: String {
            """
            sqlite metadata offset commits (synchronous=FULL, WAL) on \(path)
              single partition:        \(format(singlePartitionCommitsPerSecond)) commits/s
              \(batchSize)-partition batches:  \(format(batchCommitsPerSecond)) commits/s \
            (\(format(batchOffsetsPerSecond)) partition offsets/s)
            """
        }

        private func format(_ value: Double) -> String { String(format: "%.0f", value) }
    }

    /// Runs the benchmark in a fresh file inside `directory`, which it removes after.
    ///
    /// - Parameters:
    ///   - directory: Where to put the file; use the disk the broker will use.
    ///   - singleCommits: How many single-partition commits to time. Default 2000.
    ///   - batchCommits: How many batch commits to time. Default 500.
    ///   - batchSize: Partitions per batch commit. Default 100.
    public static func run(in directory: URL, singleCommits: Int = 2_000, batchCommits: Int = 500,
                           batchSize: Int = 100) async throws -> Result {
        let folder = directory.appendingPathComponent("sluice-sqlite-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("metadata.sqlite")
        let store = try SQLiteMetadataStore(url: url)
        let partitions = (0..<Int32(batchSize)).map { TopicPartition("bench", $0) }

        // Warm up: create the rows, so timed commits are updates as in steady state.
        try await store.commitOffsets(group: "single", [TopicPartition("bench", 0): CommittedOffset(offset: 0)])
        try await store.commitOffsets(group: "batch", Dictionary(uniqueKeysWithValues: partitions.map {
            ($0, CommittedOffset(offset: 0))
        }))

        let clock = ContinuousClock()
        let singleTime = try await clock.measure {
            for n in 1...max(1, singleCommits) {
                try await store.commitOffsets(group: "single", [
                    TopicPartition("bench", 0): CommittedOffset(offset: Int64(n), leaderEpoch: 0, metadata: ""),
                ])
            }
        }
        let batchTime = try await clock.measure {
            for n in 1...max(1, batchCommits) {
                var offsets: [TopicPartition: CommittedOffset] = [:]
                for tp in partitions { offsets[tp] = CommittedOffset(offset: Int64(n), leaderEpoch: 0, metadata: "") }
                try await store.commitOffsets(group: "batch", offsets)
            }
        }
        try await store.close()
        return Result(singlePartitionCommitsPerSecond: Double(max(1, singleCommits)) / singleTime.seconds,
                      batchCommitsPerSecond: Double(max(1, batchCommits)) / batchTime.seconds,
                      batchSize: batchSize, path: url.path)
    }
}
