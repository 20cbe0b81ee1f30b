import ArgumentParser
import Foundation
import SluiceKernel
import SluiceSegmentLog
import SluiceSQLite

/// `sluice bench …`: benchmarks that print figures (never part of pass/fail tests).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure throughput and latency.",
        discussion: """
            produce, consume and e2e talk to a running broker (--bootstrap); storage and metadata
            measure the storage plugins in-process.
            Example: sluice bench e2e --records 100000 --json
            """,
        subcommands: [Produce.self, Consume.self, EndToEnd.self, Storage.self, Metadata.self])

    struct Storage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Segment-log append and read throughput next to the raw disk, per flush policy.",
            discussion: "Example: sluice bench storage --seconds 2 --dir /var/tmp")

        @Option(help: "Scratch directory on the disk to measure (removed afterwards).")
        var dir: String = FileManager.default.temporaryDirectory.path

        @Option(help: "Seconds per case.")
        var seconds: Double = 2

        @Option(help: "Bytes of the raw read file.")
        var rawReadBytes: Int64 = 1 << 30

        func run() async throws {
            var options = SegmentLogBenchmark.Options(directory: URL(fileURLWithPath: dir).appendingPathComponent("sluice-bench-storage-\(UUID().uuidString)"))
            options.secondsPerCase = seconds
            options.rawReadBytes = rawReadBytes
            defer { try? FileManager.default.removeItem(at: options.directory) }
            let report = try await SegmentLogBenchmark.run(options) { line in
                FileHandle.standardError.write(Data("\(line)\n".utf8))
            }
            print(report)
        }
    }

    struct Metadata: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "SQLite offset commits per second (synchronous=FULL), single and 100-partition batches.",
            discussion: "Example: sluice bench metadata")

        @Option(help: "Scratch directory (removed afterwards).")
        var dir: String = FileManager.default.temporaryDirectory.path

        func run() async throws {
            print(try await SQLiteMetadataBenchmark.run(in: URL(fileURLWithPath: dir)))
        }
    }
}
