import Foundation

// ListPartitionReassignments (key 46), from Kafka 3.9's ListPartitionReassignmentsRequest/Response specs.

/// The ListPartitionReassignments request (KIP-455); its fields, versions and defaults
/// follow Kafka 3.9's ListPartitionReassignmentsRequest spec. Sent to the controller.
public struct ListPartitionReassignmentsRequest: KafkaRequest {
    public typealias Response = ListPartitionReassignmentsResponse
    public static let apiKey = ApiKey.listPartitionReassignments
    public static let validVersions: Versions = "0"
    public static let flexibleVersions: Versions = "0+"

    /// How long to wait for the request to complete, in milliseconds. Default 60000.
    public var timeoutMs: Int32 = 60_000
    /// The topics to list reassignments of; nil lists every one.
    public var topics: [Topic]? = nil

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("TimeoutMs", \.timeoutMs, .int32, versions: "0+"),
        Field("Topics", \.topics, .nullableArray(Topic.self), versions: "0+", nullable: "0+"),
    ]

    /// One topic of `ListPartitionReassignmentsRequest`.
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitionIndexes: [Int32] = []

        public init() {}
        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("PartitionIndexes", \.partitionIndexes, .array(.int32), versions: "0+"),
        ]
    }
}

/// The ListPartitionReassignments response; its fields, versions and defaults follow
/// Kafka 3.9's ListPartitionReassignmentsResponse spec.
public struct ListPartitionReassignmentsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var errorMessage: String? = nil
    public var topics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
    ]

    /// One topic with ongoing reassignments.
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitions: [Partition] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(Partition.self), versions: "0+"),
        ]
    }

    /// One ongoing reassignment: the replica set now, and who is being added and removed.
    public struct Partition: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var replicas: [Int32] = []
        public var addingReplicas: [Int32] = []
        public var removingReplicas: [Int32] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("Replicas", \.replicas, .array(.int32), versions: "0+"),
            Field("AddingReplicas", \.addingReplicas, .array(.int32), versions: "0+"),
            Field("RemovingReplicas", \.removingReplicas, .array(.int32), versions: "0+"),
        ]
    }
}
