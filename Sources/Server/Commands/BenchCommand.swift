import ArgumentParser
import Foundation
import Logging
import SluiceKernel
import SluiceServerConfig

/// `sluice bench …`: benchmarks that print figures (never part of pass/fail tests).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure throughput and latency.",
        discussion: """
            produce, consume, e2e and fetch-sessions talk to a running broker (--bootstrap); storage and metadata
            measure the storage plugins in-process.
            Example: sluice bench e2e --records 100000 --json
            """,
        subcommands: [Produce.self, Consume.self, EndToEnd.self, FetchSessions.self, Transactions.self, Storage.self, Metadata.self, Beats.self])

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

        @Option(help: "Bytes written to a compacted partition for the cleaner figure (0 skips it).")
        var cleanerBytes: Int64 = 256 << 20

        @Option(help: "Distinct keys in the cleaner figure's records.")
        var cleanerKeys: Int = 100_000

        @Option(help: "The cleaner's offset map for that figure, in bytes (the plugin's cleanerOffsetMapBytes).")
        var cleanerMapBytes: Int = 128 << 20

        func run() async throws {
            let directory = URL(fileURLWithPath: dir).appendingPathComponent("sluice-bench-storage-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let cleaner = PluginTools.CleanerFigure(bytes: cleanerBytes, keys: cleanerKeys, offsetMapBytes: cleanerMapBytes)
            let report = try await PluginTools.storageBenchmark(directory: directory, secondsPerCase: seconds,
                                                                rawReadBytes: rawReadBytes, cleaner: cleaner) { line in
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
            print(try await PluginTools.metadataBenchmark(in: URL(fileURLWithPath: dir)))
        }
    }

    struct Beats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Beats input ingest: Filebeat-shaped JSON events in acknowledged windows, events/s.",
            discussion: """
            Without --connect, starts a beats input in this process on a segment-log store in a \
            scratch directory (the default storage config unless --flush is given) and sends to it; \
            with --connect HOST:PORT, sends to a running `sluice serve`.
            Example: sluice bench beats --events 1000000 --event-bytes 1024
            """)

        @Option(help: "Events to send in all.")
        var events = 1_000_000
        @Option(help: "Bytes per JSON event.")
        var eventBytes = 1024
        @Option(help: "Events per window (Filebeat's bulk_max_size).")
        var window = 2048
        @Option(help: "Windows in flight per connection (Filebeat's pipelining).")
        var pipelining = 2
        @Option(help: "Parallel connections (Filebeat's worker).")
        var connections = 1
        @Option(help: "zlib level for compressed frames (1-9); uncompressed JSON frames when absent.")
        var compressionLevel: Int32?
        @Option(help: "Send to a running server's beats input at HOST:PORT instead of an in-process one.")
        var connect: String?
        @Option(help: "Segment-log flush policy of the in-process store: always, interval or os.")
        var flush: String?
        @Option(help: "Scratch directory of the in-process store (removed afterwards).")
        var dir: String = FileManager.default.temporaryDirectory.path

        func run() async throws {
            var options = PluginTools.BeatsLoad()
            options.events = events
            options.eventBytes = eventBytes
            options.windowSize = window
            options.pipelining = pipelining
            options.connections = connections
            options.compressionLevel = compressionLevel
            if let connect {
                let target: HostPort
                do { target = try HostPort(parsing: connect) } catch {
                    throw ValidationError("--connect takes HOST:PORT, e.g. 127.0.0.1:5044: \(error)")
                }
                print(try await PluginTools.beatsBenchmark(host: target.host, port: target.port, load: options))
                return
            }
            // The in-process store and metadata come from the catalog like `sluice serve`'s.
            let storageName = "segment-log"
            guard let storageEntry = PluginCatalog.storage.first(where: { $0.name == storageName }),
                  let metadataEntry = PluginCatalog.metadata.first(where: { $0.name == "memory" }) else {
                throw ValidationError("the catalog has no \(storageName) storage or memory metadata plugin")
            }
            let directory = URL(fileURLWithPath: dir).appendingPathComponent("sluice-bench-beats-\(UUID().uuidString)")
            var storageConfig: [String: JSONValue] = ["directory": .string(directory.path)]
            if let flush { storageConfig["flush"] = .string(flush) }
            if !storageEntry.descriptor.check(.object(storageConfig)).isEmpty {
                throw ValidationError("--flush takes always, interval or os; got '\(flush ?? "")'")
            }
            let flushName = flush ?? storageEntry.descriptor.keys.first { $0.key == "flush" }?.defaultValue ?? "default"
            defer { try? FileManager.default.removeItem(at: directory) }
            var logger = Logger(label: "sluice.bench")
            logger.logLevel = .warning
            let context = PluginContext(instanceName: "bench", dataDirectory: directory, logger: logger)
            let storage = try await storageEntry.make(.object(storageConfig), context)
            let metadata = try await metadataEntry.make(nil, context)
            let broker = Broker(config: BrokerConfig(), storage: storage, metadata: metadata, logger: logger)
            try await broker.start()
            do {
                _ = try await broker.createTopic("logs", partitions: 1)
                let result = try await PluginTools.beatsBenchmarkInProcess(services: ConnectorServices(broker: broker), load: options,
                                                                           logger: logger)
                print("beats ingest, \(flushName) flush, \(storageName): \(result)")
            } catch {
                await broker.shutdown()
                throw error
            }
            await broker.shutdown()
        }
    }
}
