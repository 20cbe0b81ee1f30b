/// Kafka 3.9's topic-config catalogue as one table: each config's type, Kafka's default
/// and validation, its broker-level synonym, and what it does in Sluice. Every name here
/// is accepted by CreateTopics and the alter-config APIs so that Kafka's admin tools,
/// topic operators and Kafka Connect can create their topics; `effect` says which ones
/// Sluice carries out.
extension TopicConfigs {
    /// How a config's value is written and parsed (Kafka's ConfigDef types).
    public enum ValueType: String, Sendable, CaseIterable {
        /// `true` or `false`, any case.
        case boolean
        case string
        /// A 32-bit signed integer.
        case int
        /// A 64-bit signed integer.
        case long
        /// A floating-point number.
        case double
        /// Comma-separated items; blanks around items are ignored.
        case list
    }

    /// What setting a config changes in Sluice.
    public enum Effect: Sendable, Equatable {
        /// Sluice carries it out as Kafka does.
        case applied
        /// Sluice carries out part of it; the text says which.
        case partly(String)
        /// Applied by the log cleaner to compacted topics.
        case compaction
        /// Stored and reported, with no effect in Sluice; the text says why.
        case none(String)

        /// One sentence for documentation and DescribeConfigs.
        public var note: String {
            switch self {
            case .applied: "Applied."
            case .partly(let why): "Partly applied: \(why)."
            case .compaction: "Applied by the log cleaner to topics whose cleanup.policy contains compact."
            case .none(let why): "Accepted without effect: \(why)."
            }
        }
    }

    /// What values a config accepts beyond its type.
    public enum Rule: Sendable {
        case any
        case atLeast(Int64)
        case between(Int64, Int64)
        /// An integer in the range, or exactly `-1` (gzip's "library default").
        case minusOneOr(Int64, Int64)
        case fraction(Double, Double)
        case oneOf([String])
        /// Every item of a list is one of these.
        case eachOneOf([String])
        /// `*`, or items `partition:broker` (Kafka's throttled-replica lists).
        case throttledReplicas
        /// A Kafka release such as `2.8`, `3.0-IV1` or `0.10.2` (message.format.version).
        case kafkaVersion
        /// Only this value; any other gets the reason.
        case only(String, because: String)
    }

    /// One topic config.
    public struct Key: Sendable {
        public let name: String
        public let type: ValueType
        /// Kafka 3.9's default; Sluice's configuration may set another (`Broker.topicConfigDefaults`).
        public let kafkaDefault: String
        /// Kafka's broker-level setting that supplies the default, when it has one.
        public let serverDefault: String?
        public let rule: Rule
        public let effect: Effect
        /// What the config means, units included.
        public let summary: String

        init(_ name: String, _ type: ValueType, _ kafkaDefault: String, _ rule: Rule, server serverDefault: String?,
             _ effect: Effect, _ summary: String) {
            self.name = name
            self.type = type
            self.kafkaDefault = kafkaDefault
            self.serverDefault = serverDefault
            self.rule = rule
            self.effect = effect
            self.summary = summary
        }
    }

    static let longMax = String(Int64.max)
    static let noTieredStorage = Effect.none("Sluice has no tiered storage")

    /// Every config a topic may set, sorted by name.
    public static let known: [Key] = [
        Key("cleanup.policy", .list, "delete", .eachOneOf(["compact", "delete"]), server: "log.cleanup.policy",
            .partly("'delete' applies retention.ms and retention.bytes; 'compact' runs the log cleaner and refuses records without a key; a topic without 'delete' is never trimmed by retention"),
            "how old data goes: 'delete' by retention, 'compact' keeps the last record per key"),
        Key("compression.gzip.level", .int, "-1", .minusOneOr(1, 9), server: "compression.gzip.level",
            .none("batches are stored as the producer compressed them"), "gzip level when compression.type is gzip"),
        Key("compression.lz4.level", .int, "9", .between(1, 17), server: "compression.lz4.level",
            .none("batches are stored as the producer compressed them"), "lz4 level when compression.type is lz4"),
        Key("compression.type", .string, "producer", .oneOf(["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
            server: "compression.type", .none("batches are stored as the producer compressed them (as with 'producer')"),
            "codec the broker recompresses batches to; 'producer' keeps the producer's"),
        Key("compression.zstd.level", .int, "3", .between(-131_072, 22), server: "compression.zstd.level",
            .none("batches are stored as the producer compressed them"), "zstd level when compression.type is zstd"),
        Key("delete.retention.ms", .long, "86400000", .atLeast(0), server: "log.cleaner.delete.retention.ms",
            .compaction, "how long tombstones stay readable in a compacted topic (ms)"),
        Key("file.delete.delay.ms", .long, "60000", .atLeast(0), server: "log.segment.delete.delay.ms",
            .none("retention deletes segment files at once"), "wait before deleting a segment file (ms)"),
        Key("flush.messages", .long, longMax, .atLeast(1), server: "log.flush.interval.messages",
            .none("flushing follows the storage plugin's 'flush' setting"), "force a flush after this many records"),
        Key("flush.ms", .long, longMax, .atLeast(0), server: "log.flush.interval.ms",
            .none("flushing follows the storage plugin's 'flush' setting"), "force a flush after this long (ms)"),
        Key("follower.replication.throttled.replicas", .list, "", .throttledReplicas, server: nil,
            .none("replication is not throttled"), "replicas throttled on the follower side: '*' or partition:broker items"),
        Key("index.interval.bytes", .int, "4096", .atLeast(0), server: "log.index.interval.bytes",
            .none("the segment-log plugin's indexIntervalBytes applies to every topic"), "bytes between offset-index entries"),
        Key("leader.replication.throttled.replicas", .list, "", .throttledReplicas, server: nil,
            .none("replication is not throttled"), "replicas throttled on the leader side: '*' or partition:broker items"),
        Key("local.retention.bytes", .long, "-2", .atLeast(-2), server: "log.local.retention.bytes",
            noTieredStorage, "local bytes kept with tiered storage; -2 follows retention.bytes"),
        Key("local.retention.ms", .long, "-2", .atLeast(-2), server: "log.local.retention.ms",
            noTieredStorage, "local data kept with tiered storage (ms); -2 follows retention.ms"),
        Key("max.compaction.lag.ms", .long, longMax, .atLeast(1), server: "log.cleaner.max.compaction.lag.ms",
            .compaction, "longest a record may stay uncompacted (ms)"),
        Key("max.message.bytes", .int, "1048588", .atLeast(0), server: "message.max.bytes",
            .applied, "largest record batch accepted (bytes)"),
        Key("message.downconversion.enable", .boolean, "true", .any, server: "log.message.downconversion.enable",
            .none("Sluice never down-converts; fetches of the old formats are refused"), "down-convert for old consumers"),
        Key("message.format.version", .string, "3.0-IV1", .kafkaVersion, server: "log.message.format.version",
            .none("Kafka ignores it since 3.0 and Sluice stores record batches v2"), "deprecated: on-disk message format"),
        Key("message.timestamp.after.max.ms", .long, longMax, .atLeast(0), server: "log.message.timestamp.after.max.ms",
            .none("record timestamps are not checked against the clock yet"), "how far ahead of the broker's clock a CreateTime timestamp may be (ms)"),
        Key("message.timestamp.before.max.ms", .long, longMax, .atLeast(0), server: "log.message.timestamp.before.max.ms",
            .none("record timestamps are not checked against the clock yet"), "how far behind the broker's clock a CreateTime timestamp may be (ms)"),
        Key("message.timestamp.difference.max.ms", .long, longMax, .atLeast(0), server: "log.message.timestamp.difference.max.ms",
            .none("record timestamps are not checked against the clock yet"), "deprecated: largest CreateTime distance from the broker's clock (ms)"),
        Key("message.timestamp.type", .string, "CreateTime", .oneOf(["CreateTime", "LogAppendTime"]),
            server: "log.message.timestamp.type", .applied, "CreateTime keeps the producer's timestamps, LogAppendTime stamps the append time"),
        Key("min.cleanable.dirty.ratio", .double, "0.5", .fraction(0, 1), server: "log.cleaner.min.cleanable.ratio",
            .compaction, "share of a log not yet compacted that triggers compaction (0 to 1)"),
        Key("min.compaction.lag.ms", .long, "0", .atLeast(0), server: "log.cleaner.min.compaction.lag.ms",
            .compaction, "shortest time a record stays uncompacted (ms)"),
        Key("min.insync.replicas", .int, "1", .atLeast(1), server: "min.insync.replicas",
            .applied, "replicas that must have an acks=all write (cluster mode)"),
        Key("preallocate", .boolean, "false", .any, server: "log.preallocate",
            .none("segment files grow as they are written"), "preallocate a new segment file's full size"),
        Key("remote.log.copy.disable", .boolean, "false", .any, server: nil,
            noTieredStorage, "stop copying segments to tiered storage"),
        Key("remote.log.delete.on.disable", .boolean, "false", .any, server: nil,
            noTieredStorage, "delete tiered data when tiered storage is turned off"),
        Key("remote.storage.enable", .boolean, "false",
            .only("false", because: "Sluice has no tiered storage (Kafka refuses it too when the broker has none)"),
            server: nil, noTieredStorage, "keep old segments in tiered storage"),
        Key("retention.bytes", .long, "-1", .any, server: "log.retention.bytes",
            .applied, "delete the oldest data while a partition is larger (bytes); negative: unlimited"),
        Key("retention.ms", .long, "604800000", .atLeast(-1), server: "log.retention.ms",
            .applied, "delete data older than this (ms); -1 keeps it forever"),
        Key("segment.bytes", .int, "1073741824", .atLeast(14), server: "log.segment.bytes",
            .applied, "roll a segment at this size (bytes)"),
        Key("segment.index.bytes", .int, "10485760", .atLeast(4), server: "log.index.size.max.bytes",
            .none("the segment-log plugin sizes its indexes itself"), "largest offset-index file (bytes)"),
        Key("segment.jitter.ms", .long, "0", .atLeast(0), server: "log.roll.jitter.ms",
            .none("segments roll at segment.ms exactly"), "random jitter subtracted from segment.ms (ms)"),
        Key("segment.ms", .long, "604800000", .atLeast(1), server: "log.roll.ms",
            .applied, "roll a segment after this time (ms)"),
        Key("unclean.leader.election.enable", .boolean, "false", .any, server: "unclean.leader.election.enable",
            .none("leaders are elected only from the in-sync replicas"), "let an out-of-sync replica become leader"),
    ]

    /// The catalogue entry for `name`, if Kafka 3.9 has such a topic config.
    public static func key(_ name: String) -> Key? { byName[name] }

    static let byName: [String: Key] = Dictionary(uniqueKeysWithValues: known.map { ($0.name, $0) })
}
