import SluiceKernel

/// `"plugin": "file-sink"` under `connectors`: records of topics written to local files,
/// `path/<topic>/<partition>/<first offset>.log`, exactly once across crashes.
///
/// See `FileSinkConfiguration` for the keys and `PartitionSink` for how records are
/// committed (write, fsync, then store the position in the metadata store).
public enum FileSinkFactory: ConnectorFactory {
    public static let name = "file-sink"
    public static let summary = "records of topics written to local files (value or JSON lines), rotated, resumable, exactly once"
    public static let kind = PluginKind.sink
    public typealias Configuration = FileSinkConfiguration

    public static func make(_ config: FileSinkConfiguration, services: ConnectorServices, context: PluginContext) async throws -> any Connector {
        let settings = SinkSettings(config, name: context.instanceName, dataDirectory: context.dataDirectory)
        return FileSinkConnector(settings: settings, services: services, logger: context.logger)
    }
}

/// The `config` of a `file-sink` connector in plugins.json.
///
/// ```json
/// { "name": "archive", "plugin": "file-sink",
///   "config": { "topics": ["logs"], "path": "data/archive", "format": "json" } }
/// ```
public struct FileSinkConfiguration: PluginConfiguration, Equatable {
    /// Topics to sink, each into `path/<topic>/<partition>/`. Required: at least one.
    public var topics: [String] = []
    /// Directory the files go to; relative paths are taken from the current directory.
    /// Default: `<broker dataDir>/<connector name>`.
    public var path: String?
    /// `"value"` (default): each record's value followed by "\n". `"json"`: one JSON
    /// object per line with topic, partition, offset, timestamp, key, headers and value.
    public var format: String = SinkFormat.value.rawValue
    /// Start a new file once the current one would grow past this many bytes.
    /// Default 104857600 (100 MiB); at least 1024.
    public var rotateBytes: Int64 = 100 << 20
    /// Start a new file for the next record once the current one is this many minutes
    /// old; 0 turns time rotation off. Default 60.
    public var rotateMinutes: Int64 = 60
    /// How often written records are fsynced and the position stored, in milliseconds;
    /// 0 does it after every fetch. Records written since the last flush are written
    /// again after a crash (the file is truncated first, so never twice). Default 1000.
    public var flushIntervalMs: Int64 = 1000
    /// Where a partition with no stored position starts: `"earliest"` (default, every
    /// record still in the log) or `"latest"` (only records produced from now on).
    public var startFrom: String = StartFrom.earliest.rawValue
    /// How often the connector looks for new partitions of its topics and for topics that
    /// do not exist yet, in milliseconds. Default 5000; at least 100.
    public var topicCheckIntervalMs: Int64 = 5000

    /// The record layout of the files.
    public enum SinkFormat: String, Sendable, CaseIterable { case value, json }
    /// The first offset of a partition without a stored position.
    public enum StartFrom: String, Sendable, CaseIterable { case earliest, latest }

    public init() {}

    /// A configuration for `topics` with every other key at its default.
    public init(topics: [String], path: String? = nil) {
        self.topics = topics
        self.path = path
    }

    /// `format` parsed; `.value` when invalid (validation reports that first).
    public var sinkFormat: SinkFormat { SinkFormat(rawValue: format) ?? .value }
    /// `startFrom` parsed; `.earliest` when invalid (validation reports that first).
    public var start: StartFrom { StartFrom(rawValue: startFrom) ?? .earliest }

    enum CodingKeys: String, CodingKey {
        case topics, path, format, rotateBytes, rotateMinutes, flushIntervalMs, startFrom, topicCheckIntervalMs
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FileSinkConfiguration()
        topics = try c.decodeIfPresent([String].self, forKey: .topics) ?? d.topics
        path = try c.decodeIfPresent(String.self, forKey: .path)
        format = try c.decodeIfPresent(String.self, forKey: .format) ?? d.format
        rotateBytes = try c.decodeIfPresent(Int64.self, forKey: .rotateBytes) ?? d.rotateBytes
        rotateMinutes = try c.decodeIfPresent(Int64.self, forKey: .rotateMinutes) ?? d.rotateMinutes
        flushIntervalMs = try c.decodeIfPresent(Int64.self, forKey: .flushIntervalMs) ?? d.flushIntervalMs
        startFrom = try c.decodeIfPresent(String.self, forKey: .startFrom) ?? d.startFrom
        topicCheckIntervalMs = try c.decodeIfPresent(Int64.self, forKey: .topicCheckIntervalMs) ?? d.topicCheckIntervalMs
    }

    public static let keys: [ConfigKeyDoc] = [
        .init("topics", "array of topic names", default: "(required)", "topics to sink, each into path/<topic>/<partition>/"),
        .init("path", "path", default: "<dataDir>/<connector name>", "directory the files are written to"),
        .init("format", "string", default: "value", "\"value\": value + newline; \"json\": one JSON object per record and line"),
        .init("rotateBytes", "bytes", default: "104857600", "start a new file before one grows past this size"),
        .init("rotateMinutes", "minutes", default: "60", "start a new file once the current one is this old; 0 = never"),
        .init("flushIntervalMs", "milliseconds", default: "1000", "how often files are fsynced and positions stored; 0 = every fetch"),
        .init("startFrom", "string", default: "earliest", "\"earliest\" or \"latest\": where a partition without a stored position starts"),
        .init("topicCheckIntervalMs", "milliseconds", default: "5000", "how often new partitions and missing topics are looked for"),
    ]

    public func validate() -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if topics.isEmpty {
            problems.append(.init(keyPath: "topics", "name at least one topic to sink, e.g. [\"logs\"]"))
        }
        for (index, topic) in topics.enumerated() {
            if let reason = TopicConfigs.validateName(topic) {
                problems.append(.init(keyPath: "topics[\(index)]", "'\(topic)' is not a valid topic name: \(reason)"))
            } else if topics[..<index].contains(topic) {
                problems.append(.init(keyPath: "topics[\(index)]", "'\(topic)' is listed twice; list each topic once"))
            }
        }
        if let path, path.isEmpty {
            problems.append(.init(keyPath: "path", "must name a directory; leave it out for <dataDir>/<connector name>"))
        }
        if SinkFormat(rawValue: format) == nil {
            problems.append(.init(keyPath: "format", "unknown format '\(format)'; use \"value\" or \"json\""))
        }
        if rotateBytes < 1024 {
            problems.append(.init(keyPath: "rotateBytes", "must be at least 1024 bytes, got \(rotateBytes)"))
        }
        if rotateMinutes < 0 {
            problems.append(.init(keyPath: "rotateMinutes", "must be 0 (no time rotation) or more minutes, got \(rotateMinutes)"))
        }
        if !(0...3_600_000).contains(flushIntervalMs) {
            problems.append(.init(keyPath: "flushIntervalMs", "must be between 0 and 3600000 ms, got \(flushIntervalMs)"))
        }
        if StartFrom(rawValue: startFrom) == nil {
            problems.append(.init(keyPath: "startFrom", "unknown start '\(startFrom)'; use \"earliest\" or \"latest\""))
        }
        if !(100...3_600_000).contains(topicCheckIntervalMs) {
            problems.append(.init(keyPath: "topicCheckIntervalMs", "must be between 100 and 3600000 ms, got \(topicCheckIntervalMs)"))
        }
        return problems
    }
}
