import SluiceKernel

/// `"plugin": "memory"` under `storage`: records kept in memory, lost on exit.
public enum MemoryStorageFactory: StoragePluginFactory {
    public static let name = "memory"
    public static let summary = "records in memory, lost on exit (tests, demos, the example plugin)"

    public struct Configuration: PluginConfiguration, Equatable {
        /// Segment size for retention, in bytes. Default 1048576 (1 MiB).
        public var segmentBytes: Int = 1 << 20
        /// Delete data older than this many hours; -1 keeps everything. Default 168.
        public var retentionHours: Int64 = 168
        /// Keep at most this many bytes per partition; -1 is unlimited. Default -1.
        public var retentionBytes: Int64 = -1

        public init() {}

        enum CodingKeys: String, CodingKey { case segmentBytes, retentionHours, retentionBytes }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            segmentBytes = try c.decodeIfPresent(Int.self, forKey: .segmentBytes) ?? segmentBytes
            retentionHours = try c.decodeIfPresent(Int64.self, forKey: .retentionHours) ?? retentionHours
            retentionBytes = try c.decodeIfPresent(Int64.self, forKey: .retentionBytes) ?? retentionBytes
        }

        public static let keys: [ConfigKeyDoc] = [
            .init("segmentBytes", "bytes", default: "1048576", "segment size; retention deletes whole segments"),
            .init("retentionHours", "hours", default: "168", "delete data older than this; -1 keeps everything"),
            .init("retentionBytes", "bytes", default: "-1", "keep at most this many bytes per partition; -1 unlimited"),
        ]

        public func validate() -> [ConfigProblem] {
            var problems: [ConfigProblem] = []
            if segmentBytes < 1024 { problems.append(.init(keyPath: "segmentBytes", "must be at least 1024 bytes, got \(segmentBytes)")) }
            if retentionHours == 0 || retentionHours < -1 {
                problems.append(.init(keyPath: "retentionHours", "must be -1 (keep forever) or at least 1, got \(retentionHours)"))
            }
            if retentionBytes == 0 || retentionBytes < -1 {
                problems.append(.init(keyPath: "retentionBytes", "must be -1 (unlimited) or at least 1, got \(retentionBytes)"))
            }
            return problems
        }
    }

    public static func make(_ config: Configuration, context: PluginContext) async throws -> any LogStorage {
        MemoryLogStorage(
            defaultLogConfig: PartitionLogConfig(segmentBytes: config.segmentBytes),
            defaultRetention: RetentionPolicy(
                retentionMs: config.retentionHours < 0 ? nil : config.retentionHours * 3_600_000,
                retentionBytes: config.retentionBytes < 0 ? nil : config.retentionBytes))
    }
}

/// `"plugin": "memory"` under `metadata`: topics and offsets in memory, lost on exit.
public enum MemoryMetadataFactory: MetadataPluginFactory {
    public static let name = "memory"
    public static let summary = "topics and offsets in memory, lost on exit (tests, demos, the example plugin)"

    public struct Configuration: PluginConfiguration, Equatable {
        public init() {}
        public static let keys: [ConfigKeyDoc] = []
    }

    public static func make(_ config: Configuration, context: PluginContext) async throws -> any MetadataStore {
        MemoryMetadataStore()
    }
}
