// ControlledShutdown (key 7), from Kafka 3.9's ControlledShutdownRequest/Response specs.

/// The ControlledShutdown request: a broker about to stop asks the controller to move
/// leadership of its partitions to in-sync followers and to drop it from their ISRs.
/// Version 0 has the v0 request header (no client id); see `requestHeaderVersion`.
public struct ControlledShutdownRequest: KafkaRequest {
    public typealias Response = ControlledShutdownResponse
    public static let apiKey = ApiKey.controlledShutdown
    public static let validVersions: Versions = "0-3"
    public static let flexibleVersions: Versions = "3+"

    /// The broker that is stopping.
    public var brokerId: Int32 = 0
    /// Its registration's epoch; -1 when not known (v0–1).
    public var brokerEpoch: Int64 = -1

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("BrokerId", \.brokerId, .int32, versions: "0+"),
        Field("BrokerEpoch", \.brokerEpoch, .int64, versions: "2+"),
    ]
}

/// The ControlledShutdown response; its fields, versions and defaults follow Kafka 3.9's
/// ControlledShutdownResponse spec.
public struct ControlledShutdownResponse: KafkaStruct {
    public var errorCode: Int16 = 0
    /// Partitions the broker still leads (no other in-sync replica could take them).
    public var remainingPartitions: [RemainingPartition] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("RemainingPartitions", \.remainingPartitions, .array(RemainingPartition.self), versions: "0+"),
    ]

    /// One RemainingPartitions entry of `ControlledShutdownResponse`.
    public struct RemainingPartition: KafkaStruct {
        public var topicName = ""
        public var partitionIndex: Int32 = 0

        public init() {}
        public init(topicName: String, partitionIndex: Int32) {
            self.topicName = topicName
            self.partitionIndex = partitionIndex
        }

        public static let fields: [Field<Self>] = [
            Field("TopicName", \.topicName, .string, versions: "0+"),
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
        ]
    }
}
