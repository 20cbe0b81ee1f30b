import Foundation

// DescribeLogDirs (key 35), from Kafka 3.9's DescribeLogDirsRequest/Response specs.

/// The DescribeLogDirs request; its fields, versions and defaults follow Kafka 3.9's DescribeLogDirsRequest spec.
public struct DescribeLogDirsRequest: KafkaRequest {
    public typealias Response = DescribeLogDirsResponse
    public static let apiKey = ApiKey.describeLogDirs
    public static let validVersions: Versions = "0-4"
    public static let flexibleVersions: Versions = "2+"

    /// The topics to describe, or null for all.
    public var topics: [Topic]? = nil

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Topics", \.topics, .nullableArray(Topic.self), versions: "0+", nullable: "0+"),
    ]

    /// One topic of `DescribeLogDirsRequest`.
    public struct Topic: KafkaStruct {
        public var topic = ""
        public var partitions: [Int32] = []

        public init() {}
        public init(topic: String, partitions: [Int32]) {
            self.topic = topic
            self.partitions = partitions
        }

        public static let fields: [Field<Self>] = [
            Field("Topic", \.topic, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(.int32), versions: "0+"),
        ]
    }
}

/// The DescribeLogDirs response; its fields, versions and defaults follow Kafka 3.9's DescribeLogDirsResponse spec.
public struct DescribeLogDirsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    /// Top-level error (v3+).
    public var errorCode: Int16 = 0
    public var results: [Result] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "3+"),
        Field("Results", \.results, .array(Result.self), versions: "0+"),
    ]

    /// One log directory of `DescribeLogDirsResponse`.
    public struct Result: KafkaStruct {
        public var errorCode: Int16 = 0
        /// The absolute path of the directory.
        public var logDir = ""
        public var topics: [Topic] = []
        /// Size of the file system holding it, in bytes (v4+; -1 unknown).
        public var totalBytes: Int64 = -1
        /// Bytes usable on that file system (v4+; -1 unknown).
        public var usableBytes: Int64 = -1

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("LogDir", \.logDir, .string, versions: "0+"),
            Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
            Field("TotalBytes", \.totalBytes, .int64, versions: "4+"),
            Field("UsableBytes", \.usableBytes, .int64, versions: "4+"),
        ]
    }

    /// One topic of a log directory.
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitions: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One partition of a log directory.
    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        /// Bytes of the partition's segments.
        public var partitionSize: Int64 = 0
        /// Log end minus high watermark (for the current log).
        public var offsetLag: Int64 = 0
        /// True for a log being moved here by AlterReplicaLogDirs.
        public var isFutureKey = false

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("PartitionSize", \.partitionSize, .int64, versions: "0+"),
            Field("OffsetLag", \.offsetLag, .int64, versions: "0+"),
            Field("IsFutureKey", \.isFutureKey, .bool, versions: "0+"),
        ]
    }
}
