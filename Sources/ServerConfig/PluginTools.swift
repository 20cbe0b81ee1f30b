import Foundation
import Logging
import SluiceBeats
import SluiceKernel
import SluiceSegmentLog
import SluiceSQLite

/// The tools of single plugins that `sluice` offers as commands: `bench storage`,
/// `bench metadata`, `bench beats`, `metadata dump` and `storage check`. Beside `PluginCatalog`, this is
/// the only place that names those plugins' types; the commands call through it, so the
/// `Server` target names no plugin.
package enum PluginTools {
    // MARK: bench storage (segment-log)

    /// Runs the segment-log plugin's benchmark against raw disk I/O in `directory`;
    /// `progress` gets a line per finished case. Returns the report as text.
    package static func storageBenchmark(directory: URL, secondsPerCase: Double, rawReadBytes: Int64,
                                         cleaner: CleanerFigure = CleanerFigure(),
                                         progress: @escaping @Sendable (String) -> Void) async throws -> String {
        var options = SegmentLogBenchmark.Options(directory: directory)
        options.secondsPerCase = secondsPerCase
        options.rawReadBytes = rawReadBytes
        options.cleanerBytes = cleaner.bytes
        options.cleanerKeys = cleaner.keys
        options.cleanerOffsetMapBytes = cleaner.offsetMapBytes
        return "\(try await SegmentLogBenchmark.run(options, progress: progress))"
    }

    /// The cleaner case of the storage benchmark: `bytes` of 100-byte records over `keys`
    /// keys, cleaned once with an offset map of `offsetMapBytes` (defaults: 256 MiB,
    /// 100,000 keys, 128 MiB).
    package struct CleanerFigure: Sendable {
        package var bytes: Int64 = 256 << 20
        package var keys = 100_000
        package var offsetMapBytes = 128 << 20

        package init(bytes: Int64 = 256 << 20, keys: Int = 100_000, offsetMapBytes: Int = 128 << 20) {
            self.bytes = bytes
            self.keys = keys
            self.offsetMapBytes = offsetMapBytes
        }
    }

    // MARK: bench metadata (sqlite)

    /// SQLite offset commits per second in a scratch file under `directory`, as text.
    package static func metadataBenchmark(in directory: URL) async throws -> String {
        "\(try await SQLiteMetadataBenchmark.run(in: directory))"
    }

    // MARK: bench beats (beats-input)

    /// The load `bench beats` sends: events, their size, windows, pipelining, connections.
    package typealias BeatsLoad = BeatsBenchmark.Options

    /// Sends the load to a running beats input at `host:port`; the result as text.
    package static func beatsBenchmark(host: String, port: Int, load: BeatsLoad) async throws -> String {
        "\(try await BeatsBenchmark.run(host: host, port: port, options: load))"
    }

    /// Starts a beats input on `services`, sends the load to it and stops it; the result as text.
    package static func beatsBenchmarkInProcess(services: ConnectorServices, load: BeatsLoad, logger: Logger) async throws -> String {
        "\(try await BeatsBenchmark.runInProcess(services: services, options: load, logger: logger))"
    }

    // MARK: metadata dump (sqlite)

    /// The metadata plugin whose files `metadata dump` reads.
    package static let dumpableMetadataPlugin = SQLiteMetadataFactory.name

    /// The metadata file a `sqlite` metadata config section names, relative to `dataDirectory`.
    package static func metadataFile(config: JSONValue?, dataDirectory: URL) -> URL {
        let (sqlite, _) = ConfigDecoding.decode(SQLiteMetadataFactory.Configuration.self, from: config)
        return URL(fileURLWithPath: sqlite?.path ?? "metadata.sqlite", relativeTo: dataDirectory).standardizedFileURL
    }

    /// The registry, group offsets and connector positions of the file at `url`, read-only.
    package static func dumpMetadata(_ url: URL, json: Bool) throws -> String {
        try SQLiteMetadataDump.dump(url, format: json ? .json : .text)
    }

    // MARK: storage check (segment-log)

    /// What `storage check` found: the report's text and whether it found no problem.
    package struct StorageCheckReport: Sendable {
        package var text: String
        package var isHealthy: Bool
    }

    /// Reads every segment under `directory` (a segment-log directory), changing nothing.
    package static func checkStorage(directory: URL) throws -> StorageCheckReport {
        let report = try SegmentLogChecker.check(directory: directory.standardizedFileURL.path)
        return StorageCheckReport(text: report.description, isHealthy: report.isHealthy)
    }
}
