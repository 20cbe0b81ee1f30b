/// A topic's configuration as typed values, parsed once: when the topic is created,
/// altered or loaded (`Broker.TopicState` recomputes it whenever the record's configs
/// change). Produce, replication and retention read these fields and never parse strings.
///
/// Values were validated against `TopicConfigCatalogue` before they were stored, so a
/// value that does not parse here cannot occur; it would read as "not set".
public struct TopicSettings: Sendable, Equatable {
    /// How record timestamps are set (`message.timestamp.type`).
    public enum TimestampType: Sendable, Equatable {
        /// The producer's timestamps are kept (Kafka's default).
        case createTime
        /// The broker stamps each batch with its append time.
        case logAppendTime
    }

    /// `cleanup.policy`: which of delete and compact apply.
    public struct CleanupPolicy: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Old segments are deleted by retention time and size.
        public static let delete = CleanupPolicy(rawValue: 1)
        /// The latest record per key is kept.
        public static let compact = CleanupPolicy(rawValue: 2)
    }

    /// `max.message.bytes`: the largest record batch accepted, in bytes; nil for the
    /// broker's `messageMaxBytes`.
    public var maxMessageBytes: Int?
    /// `message.timestamp.type`; default `.createTime`.
    public var timestampType: TimestampType = .createTime
    /// `min.insync.replicas`; nil for the broker default.
    public var minInsyncReplicas: Int?
    /// `cleanup.policy`; default `[.delete]`.
    public var cleanupPolicy: CleanupPolicy = .delete
    /// `segment.bytes` and `segment.ms`; nil for the storage plugin's defaults.
    public var segmentBytes: Int?
    public var segmentMs: Int64?
    /// `retention.ms` and `retention.bytes` as set (negative: unlimited); nil for the
    /// storage plugin's defaults.
    public var retentionMs: Int64?
    public var retentionBytes: Int64?
    /// `delete.retention.ms`: how long a tombstone stays readable after its segment was
    /// cleaned, in ms; default 86400000 (one day).
    public var deleteRetentionMs: Int64 = 86_400_000
    /// `min.compaction.lag.ms`: records younger than this are never compacted, in ms; default 0.
    public var minCompactionLagMs: Int64 = 0
    /// `max.compaction.lag.ms`: a partition with a record older than this, not yet
    /// compacted, is cleaned whatever its dirty ratio, in ms; default `Int64.max` (never).
    public var maxCompactionLagMs: Int64 = .max
    /// `min.cleanable.dirty.ratio`: the share of a log's bytes not yet compacted (0 to 1)
    /// at which the cleaner compacts it; default 0.5.
    public var minCleanableDirtyRatio: Double = 0.5

    /// Kafka's defaults, with every broker- and storage-level value left to its default.
    public init() {}

    /// Parses a topic's stored configs (validated when they were set).
    public init(_ configs: [String: String]) {
        maxMessageBytes = configs["max.message.bytes"].flatMap(TopicConfigs.long).map { Int($0) }
        if configs["message.timestamp.type"] == "LogAppendTime" { timestampType = .logAppendTime }
        minInsyncReplicas = configs["min.insync.replicas"].flatMap(TopicConfigs.long).map { Int($0) }
        if let policy = configs["cleanup.policy"] {
            let items = TopicConfigs.items(policy)
            cleanupPolicy = CleanupPolicy()
            if items.contains("delete") { cleanupPolicy.insert(.delete) }
            if items.contains("compact") { cleanupPolicy.insert(.compact) }
        }
        segmentBytes = configs["segment.bytes"].flatMap(TopicConfigs.long).map { Int($0) }
        segmentMs = configs["segment.ms"].flatMap(TopicConfigs.long)
        retentionMs = configs["retention.ms"].flatMap(TopicConfigs.long)
        retentionBytes = configs["retention.bytes"].flatMap(TopicConfigs.long)
        if let value = configs["delete.retention.ms"].flatMap(TopicConfigs.long) { deleteRetentionMs = value }
        if let value = configs["min.compaction.lag.ms"].flatMap(TopicConfigs.long) { minCompactionLagMs = value }
        if let value = configs["max.compaction.lag.ms"].flatMap(TopicConfigs.long) { maxCompactionLagMs = value }
        if let text = configs["min.cleanable.dirty.ratio"],
           let value = Double(text.trimmingCharacters(in: .whitespaces)) { minCleanableDirtyRatio = value }
    }

    /// Storage segment settings: these overrides on top of the plugin's defaults.
    public func logConfig(defaults: PartitionLogConfig) -> PartitionLogConfig {
        var config = defaults
        if let segmentBytes { config.segmentBytes = segmentBytes }
        if let segmentMs { config.segmentMs = segmentMs }
        return config
    }

    /// Retention: these overrides on top of the plugin's defaults (nil = unlimited). A
    /// topic whose cleanup policy lacks delete (compact only) is never trimmed: until
    /// compaction exists, keeping everything is the only way not to lose its latest values.
    public func retention(defaults: RetentionPolicy) -> RetentionPolicy {
        guard cleanupPolicy.contains(.delete) else { return RetentionPolicy() }
        var policy = defaults
        if let retentionMs { policy.retentionMs = retentionMs < 0 ? nil : retentionMs }
        if let retentionBytes { policy.retentionBytes = retentionBytes < 0 ? nil : retentionBytes }
        return policy
    }

    /// The log cleaner's policy for this topic (`delete.retention.ms`, the compaction
    /// lags and `min.cleanable.dirty.ratio`), with the broker's codec for compressed batches.
    public func compaction(codec: (any RecordBatchCodec)?) -> CompactionPolicy {
        CompactionPolicy(deleteRetentionMs: deleteRetentionMs, minCompactionLagMs: minCompactionLagMs,
                         maxCompactionLagMs: maxCompactionLagMs, minCleanableDirtyRatio: minCleanableDirtyRatio, codec: codec)
    }
}
