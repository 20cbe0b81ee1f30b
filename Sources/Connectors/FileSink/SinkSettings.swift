import Foundation
import SluiceKernel

/// A file sink's configuration resolved for running: absolute paths, durations, and the
/// knobs tests turn (clock, backoff, fetch size) that plugins.json does not expose.
public struct SinkSettings: Sendable {
    /// The connector's name; positions are stored under it.
    public var connectorName: String
    /// Topics to sink.
    public var topics: [String]
    /// Absolute directory holding `<topic>/<partition>/` directories.
    public var root: String
    public var format: FileSinkConfiguration.SinkFormat
    /// Bytes after which the next record goes to a new file.
    public var rotateBytes: Int64
    /// Age after which the next record goes to a new file, in milliseconds; nil = never.
    public var rotateMs: Int64?
    /// How long written records may stay un-fsynced and their position unstored.
    public var flushInterval: Duration
    public var startFrom: FileSinkConfiguration.StartFrom
    /// How often partitions and missing topics are looked for.
    public var topicCheckInterval: Duration
    /// Bytes asked for per fetch (a larger first batch is still returned). Default 1 MiB.
    public var fetchMaxBytes: Int = 1 << 20
    /// The longest a fetch waits when nothing is waiting to be flushed. Default 30 s;
    /// shutdown interrupts it.
    public var idleWait: Duration = .seconds(30)
    /// Retry delays after an error: doubling from `initial` up to `max`. Default 100 ms to 30 s.
    public var retryBackoff: (initial: Duration, max: Duration) = (.milliseconds(100), .seconds(30))
    /// The wall clock in milliseconds since the epoch (file ages for time rotation).
    public var nowMs: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Resolves `config` for the connector `name`; a relative `path` is taken from the
    /// current directory, a missing one is `<dataDirectory>/<name>`.
    public init(_ config: FileSinkConfiguration, name: String, dataDirectory: URL) {
        connectorName = name
        topics = config.topics
        let resolved = config.path.map { path in
            URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        } ?? dataDirectory.appendingPathComponent(name)
        root = resolved.standardizedFileURL.path
        format = config.sinkFormat
        rotateBytes = config.rotateBytes
        rotateMs = config.rotateMinutes == 0 ? nil : config.rotateMinutes * 60_000
        flushInterval = .milliseconds(config.flushIntervalMs)
        startFrom = config.start
        topicCheckInterval = .milliseconds(config.topicCheckIntervalMs)
    }

    /// The directory of one partition.
    func directory(for tp: TopicPartition) -> SinkDirectory {
        SinkDirectory(path: "\(root)/\(tp.topic)/\(tp.partition)")
    }
}

/// Delays between retries: doubling from the initial delay up to the maximum, back to
/// the initial delay once progress is made again.
struct RetryBackoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var current: Duration

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
        self.current = initial
    }

    /// The delay to wait now; the next one is twice as long, up to the maximum.
    mutating func next() -> Duration {
        let delay = current
        current = min(current * 2, maximum)
        return delay
    }

    mutating func reset() { current = initial }
}
