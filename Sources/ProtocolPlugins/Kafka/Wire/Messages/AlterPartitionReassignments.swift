import Foundation

// AlterPartitionReassignments (key 45), from Kafka 3.9's AlterPartitionReassignmentsRequest/Response specs.

/// The AlterPartitionReassignments request (KIP-455); its fields, versions and defaults
/// follow Kafka 3.9's AlterPartitionReassignmentsRequest spec. Sent to the controller.
public struct AlterPartitionReassignmentsRequest: KafkaRequest {
    public typealias Response = AlterPartitionReassignmentsResponse
    public static let apiKey = ApiKey.alterPartitionReassignments
    public static let validVersions: Versions = "0"
    public static let flexibleVersions: Versions = "0+"

    /// How long to wait for the request to complete, in milliseconds. Default 60000.
    public var timeoutMs: Int32 = 60_000
    /// The topics to reassign.
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("TimeoutMs", \.timeoutMs, .int32, versions: "0+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// One topic of `AlterPartitionReassignmentsRequest`.
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

    /// One partition: the replicas to place it on, or nil to cancel its reassignment.
    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var replicas: [Int32]? = nil

        public init() {}
        public init(partitionIndex: Int32, replicas: [Int32]?) {
            self.partitionIndex = partitionIndex
            self.replicas = replicas
        }

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("Replicas", \.replicas, .nullableArray(.int32), versions: "0+", nullable: "0+"),
        ]
    }
}

/// The AlterPartitionReassignments response; its fields, versions and defaults follow
/// Kafka 3.9's AlterPartitionReassignmentsResponse spec.
public struct AlterPartitionReassignmentsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    /// The top-level error (e.g. NOT_CONTROLLER), 0 when none.
    public var errorCode: Int16 = 0
    public var errorMessage: String? = nil
    public var responses: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        Field("Responses", \.responses, .array(Topic.self), versions: "0+"),
    ]

    /// One topic of `AlterPartitionReassignmentsResponse`.
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitions: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One partition's outcome.
    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}
