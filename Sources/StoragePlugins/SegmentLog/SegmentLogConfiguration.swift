import SluiceKernel

/// When appended bytes are fsynced (`flush` in the plugin config). See
/// docs/segment-log.md for what each one promises.
public enum FlushPolicy: String, Sendable, Codable, CaseIterable, Equatable {
    /// `fdatasync` before an append returns: an acknowledged record survives a power
    /// failure. Concurrent appends to different partitions share fsync rounds.
    case always
    /// A background `fdatasync` of every written partition every `flushIntervalMs`: a
    /// power failure loses at most about that much of acknowledged data; a process crash
    /// loses nothing (the page cache survives it).
    case interval
    /// The operating system writes back when it chooses; only segment rolls and clean
    /// shutdown fsync. A process crash loses nothing; a power failure can lose anything
    /// not yet written back (Linux: typically up to ~30 s).
    case never
}

extension SegmentLogStorageFactory {
    /// Configuration of the `segment-log` storage plugin. Every key is optional; `{}`
    /// gives the defaults below.
    public struct Configuration: PluginConfiguration, Equatable {
        /// Roll a new segment when the active one would exceed this, in bytes. Topics
        /// override it with `segment.bytes`. Default 1073741824 (1 GiB).
        public var segmentBytes: Int = 1_073_741_824
        /// Roll a new segment when the active one is this old, in milliseconds. Topics
        /// override it with `segment.ms`. Default 604800000 (7 days).
        public var segmentMs: Int64 = 604_800_000
        /// Delete segments whose newest record is older than this, in hours; -1 keeps
        /// data forever. Topics override it with `retention.ms`. Default 168 (7 days).
        public var retentionHours: Int64 = 168
        /// Delete the oldest segments while a partition would still hold at least this
        /// many bytes, per partition; -1 is unlimited. Topics override it with
        /// `retention.bytes`. Default -1.
        public var retentionBytes: Int64 = -1
        /// Bytes of batches between two entries of the sparse offset and time indexes.
        /// Smaller finds batches faster and costs index space. Default 4096.
        public var indexIntervalBytes: Int = 4096
        /// When data is fsynced: `always`, `interval` or `never`. Default `interval`.
        public var flush: FlushPolicy = .interval
        /// With `flush: interval`, how often written partitions are fsynced, in
        /// milliseconds. Default 1000.
        public var flushIntervalMs: Int64 = 1000
        /// Where partition directories live; relative paths are taken from the current
        /// directory. Default: the broker's `dataDir`.
        public var directory: String?
        /// Memory of the log cleaner's key → offset map, in bytes: 24 bytes per distinct key
        /// of the dirty section, filled to 90%; when a pass meets more keys it cleans the
        /// prefix that fits and continues next pass. One clean runs at a time per storage,
        /// so this bounds the cleaner's memory. Default 134217728 (128 MiB, ~5M keys).
        public var cleanerOffsetMapBytes: Int = Self.defaultCleanerOffsetMapBytes
        public static let defaultCleanerOffsetMapBytes = 128 << 20
        /// The log cleaner's read rate limit, in bytes per second; -1 is unlimited.
        /// Default -1.
        public var cleanerIoBytesPerSecond: Int64 = -1
        /// The most segment files the storage keeps open at once, for all its partitions
        /// together, in descriptors. Segments open lazily and the least recently used
        /// descriptor is closed when a new one is needed (once no read or write uses it),
        /// so any number of partitions runs within this many. Sized down, with a notice
        /// logged, when it does not fit under the soft open-file limit (RLIMIT_NOFILE)
        /// minus 256 kept for sockets and other files. Default 1024.
        public var maxOpenFiles: Int = Self.defaultMaxOpenFiles
        public static let defaultMaxOpenFiles = 1024

        /// Every default.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case segmentBytes, segmentMs, retentionHours, retentionBytes, indexIntervalBytes, flush, flushIntervalMs, directory
            case cleanerOffsetMapBytes, cleanerIoBytesPerSecond, maxOpenFiles
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Configuration()
            segmentBytes = try c.decodeIfPresent(Int.self, forKey: .segmentBytes) ?? d.segmentBytes
            segmentMs = try c.decodeIfPresent(Int64.self, forKey: .segmentMs) ?? d.segmentMs
            retentionHours = try c.decodeIfPresent(Int64.self, forKey: .retentionHours) ?? d.retentionHours
            retentionBytes = try c.decodeIfPresent(Int64.self, forKey: .retentionBytes) ?? d.retentionBytes
            indexIntervalBytes = try c.decodeIfPresent(Int.self, forKey: .indexIntervalBytes) ?? d.indexIntervalBytes
            if let name = try c.decodeIfPresent(String.self, forKey: .flush) {
                guard let policy = FlushPolicy(rawValue: name) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .flush, in: c,
                        debugDescription: "expected one of \(FlushPolicy.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
                }
                flush = policy
            }
            flushIntervalMs = try c.decodeIfPresent(Int64.self, forKey: .flushIntervalMs) ?? d.flushIntervalMs
            directory = try c.decodeIfPresent(String.self, forKey: .directory)
            cleanerOffsetMapBytes = try c.decodeIfPresent(Int.self, forKey: .cleanerOffsetMapBytes) ?? d.cleanerOffsetMapBytes
            cleanerIoBytesPerSecond = try c.decodeIfPresent(Int64.self, forKey: .cleanerIoBytesPerSecond) ?? d.cleanerIoBytesPerSecond
            maxOpenFiles = try c.decodeIfPresent(Int.self, forKey: .maxOpenFiles) ?? d.maxOpenFiles
        }

        public static let keys: [ConfigKeyDoc] = [
            .init("segmentBytes", "bytes", default: "1073741824", "roll a new segment at this size (1024 to 2147483647)"),
            .init("segmentMs", "milliseconds", default: "604800000", "roll a new segment after this time (7 days)"),
            .init("retentionHours", "hours", default: "168", "delete segments whose newest record is older; -1 keeps forever"),
            .init("retentionBytes", "bytes", default: "-1", "per partition, delete the oldest segments above this size; -1 unlimited"),
            .init("indexIntervalBytes", "bytes", default: "4096", "bytes between two sparse index entries"),
            .init("flush", "string", default: "interval", "when to fsync: always (before acknowledging), interval, or never (OS decides)"),
            .init("flushIntervalMs", "milliseconds", default: "1000", "with flush: interval, how often written data is fsynced"),
            .init("directory", "path", default: "the broker dataDir", "where partition directories live"),
            .init("cleanerOffsetMapBytes", "bytes", default: "134217728", "log cleaner key map memory (24 bytes per key, 90% full); one clean at a time"),
            .init("cleanerIoBytesPerSecond", "bytes/second", default: "-1", "log cleaner read rate limit; -1 unlimited"),
            .init("maxOpenFiles", "descriptors", default: "1024",
                  "segment files kept open for all partitions together (LRU); sized down to the open-file limit minus 256"),
        ]

        public func validate() -> [ConfigProblem] {
            var problems: [ConfigProblem] = []
            if !(1024...Int(Int32.max)).contains(segmentBytes) {
                problems.append(.init(keyPath: "segmentBytes", "must be between 1024 and 2147483647 bytes, got \(segmentBytes)"))
            }
            if segmentMs < 1 {
                problems.append(.init(keyPath: "segmentMs", "must be at least 1 ms, got \(segmentMs)"))
            }
            if retentionHours != -1, !(1...(Int64.max / 3_600_000)).contains(retentionHours) {
                problems.append(.init(keyPath: "retentionHours", "must be -1 (keep forever) or a positive number of hours, got \(retentionHours)"))
            }
            if retentionBytes != -1, retentionBytes < 1 {
                problems.append(.init(keyPath: "retentionBytes", "must be -1 (unlimited) or a positive number of bytes, got \(retentionBytes)"))
            }
            if !(1...(16 << 20)).contains(indexIntervalBytes) {
                problems.append(.init(keyPath: "indexIntervalBytes", "must be between 1 and 16777216 bytes, got \(indexIntervalBytes)"))
            }
            if !(1...3_600_000).contains(flushIntervalMs) {
                problems.append(.init(keyPath: "flushIntervalMs", "must be between 1 and 3600000 ms, got \(flushIntervalMs)"))
            }
            if cleanerOffsetMapBytes < 1024 {
                problems.append(.init(keyPath: "cleanerOffsetMapBytes", "must be at least 1024 bytes, got \(cleanerOffsetMapBytes)"))
            }
            if cleanerIoBytesPerSecond != -1, cleanerIoBytesPerSecond < 1 {
                problems.append(.init(keyPath: "cleanerIoBytesPerSecond", "must be -1 (unlimited) or a positive rate, got \(cleanerIoBytesPerSecond)"))
            }
            if maxOpenFiles < DescriptorCache.minimumCapacity {
                problems.append(.init(keyPath: "maxOpenFiles", "must be at least \(DescriptorCache.minimumCapacity) descriptors, got \(maxOpenFiles)"))
            }
            if let directory, directory.isEmpty {
                problems.append(.init(keyPath: "directory", "must name a directory; leave it out to use the broker dataDir"))
            }
            return problems
        }

        /// Segment settings for topics that set none.
        public var logConfig: PartitionLogConfig { PartitionLogConfig(segmentBytes: segmentBytes, segmentMs: segmentMs) }

        /// Retention for topics that set none.
        public var retention: RetentionPolicy {
            RetentionPolicy(retentionMs: retentionHours < 0 ? nil : retentionHours * 3_600_000,
                            retentionBytes: retentionBytes < 0 ? nil : retentionBytes)
        }
    }
}
