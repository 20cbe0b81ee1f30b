/// The topic-level configs Sluice understands, with validation and how they map onto
/// storage settings. Names and meanings are Kafka's, so clients' admin calls work.
public enum TopicConfigs {
    /// A known topic config key.
    public struct Key: Sendable {
        public var name: String
        public var summary: String
        /// Returns an error message when the value is not acceptable.
        var check: @Sendable (String) -> String?
    }

    static func integer(_ range: ClosedRange<Int64>) -> @Sendable (String) -> String? {
        { value in
            guard let n = Int64(value) else { return "expected an integer, got '\(value)'" }
            return range.contains(n) ? nil : "must be between \(range.lowerBound) and \(range.upperBound), got \(n)"
        }
    }

    static func oneOf(_ values: [String]) -> @Sendable (String) -> String? {
        { value in values.contains(value) ? nil : "must be one of \(values.joined(separator: ", ")), got '\(value)'" }
    }

    /// Every config key a topic may set.
    public static let known: [Key] = [
        Key(name: "retention.ms", summary: "delete data older than this (ms); -1 keeps forever", check: integer(-1...Int64.max)),
        Key(name: "retention.bytes", summary: "delete oldest data while a partition is larger (bytes); -1 unlimited", check: integer(-1...Int64.max)),
        Key(name: "segment.bytes", summary: "roll a segment at this size (bytes)", check: integer(1024...Int64(Int32.max))),
        Key(name: "segment.ms", summary: "roll a segment after this time (ms)", check: integer(1...Int64.max)),
        Key(name: "max.message.bytes", summary: "largest record batch accepted (bytes)", check: integer(1...Int64(Int32.max))),
        Key(name: "cleanup.policy", summary: "only 'delete' is supported (compaction is later work)", check: oneOf(["delete"])),
        Key(name: "message.timestamp.type", summary: "CreateTime or LogAppendTime", check: oneOf(["CreateTime", "LogAppendTime"])),
        Key(name: "min.insync.replicas", summary: "replicas that must acknowledge acks=all writes", check: integer(1...Int64(Int32.max))),
        Key(name: "compression.type", summary: "accepted for compatibility: batches are stored as the producer compressed them",
            check: oneOf(["producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"])),
    ]

    /// Problems with `configs`, one message per bad key; empty when valid.
    public static func validate(_ configs: [String: String?]) -> [String] {
        configs.sorted { $0.key < $1.key }.compactMap { key, value in
            guard let spec = known.first(where: { $0.name == key }) else {
                return "unknown topic config '\(key)'; known: \(known.map(\.name).joined(separator: ", "))"
            }
            guard let value else { return nil }
            return spec.check(value).map { "\(key): \($0)" }
        }
    }

    /// Storage segment settings for a topic: its overrides on top of the plugin's defaults.
    public static func logConfig(_ configs: [String: String], defaults: PartitionLogConfig) -> PartitionLogConfig {
        var config = defaults
        if let bytes = configs["segment.bytes"].flatMap(Int.init) { config.segmentBytes = bytes }
        if let ms = configs["segment.ms"].flatMap(Int64.init) { config.segmentMs = ms }
        return config
    }

    /// Retention for a topic: its overrides on top of the plugin's defaults (-1 = unlimited).
    public static func retention(_ configs: [String: String], defaults: RetentionPolicy) -> RetentionPolicy {
        var policy = defaults
        if let ms = configs["retention.ms"].flatMap(Int64.init) { policy.retentionMs = ms < 0 ? nil : ms }
        if let bytes = configs["retention.bytes"].flatMap(Int64.init) { policy.retentionBytes = bytes < 0 ? nil : bytes }
        return policy
    }

    /// Validates a topic name the way Kafka does.
    public static func validateName(_ name: String) -> String? {
        if name.isEmpty { return "the name is empty" }
        if name == "." || name == ".." { return "'.' and '..' are not allowed" }
        if name.utf8.count > 249 { return "longer than 249 characters" }
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
        return allowed ? nil : "only ASCII letters, digits, '.', '_' and '-' are allowed"
    }
}
