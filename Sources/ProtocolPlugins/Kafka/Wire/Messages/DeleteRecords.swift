import Foundation

// DeleteRecords (key 21), from Kafka 3.9's DeleteRecordsRequest/Response specs.

/// The DeleteRecords request; its fields, versions and defaults follow Kafka 3.9's DeleteRecordsRequest spec.
public struct DeleteRecordsRequest: KafkaRequest {
    public typealias Response = DeleteRecordsResponse
    public static let apiKey = ApiKey.deleteRecords
    public static let validVersions: Versions = "0-2"
    public static let flexibleVersions: Versions = "2+"

    /// The topics to delete records from.
    public var topics: [Topic] = []
    /// How long to wait for the deletion, in milliseconds.
    public var timeoutMs: Int32 = 0

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
        Field("TimeoutMs", \.timeoutMs, .int32, versions: "0+"),
    ]

    /// One topic of `DeleteRecordsRequest`.
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitions: [Partition] = []

        public init() {}
        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One partition of `DeleteRecordsRequest`: records before `offset` are deleted
    /// (-1: before the high watermark).
    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var offset: Int64 = 0

        public init() {}
        public init(partitionIndex: Int32, offset: Int64) {
            self.partitionIndex = partitionIndex
            self.offset = offset
        }

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("Offset", \.offset, .int64, versions: "0+"),
        ]
    }
}

/// The DeleteRecords response; its fields, versions and defaults follow Kafka 3.9's DeleteRecordsResponse spec.
public struct DeleteRecordsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// One topic of `DeleteRecordsResponse`.
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitions: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One partition of `DeleteRecordsResponse`: its log start afterwards.
    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var lowWatermark: Int64 = 0
        public var errorCode: Int16 = 0

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("LowWatermark", \.lowWatermark, .int64, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        ]
    }
}
