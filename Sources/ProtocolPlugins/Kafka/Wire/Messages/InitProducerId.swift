// InitProducerId (key 22), from Kafka 3.9's InitProducerIdRequest/Response specs.

/// The InitProducerId request; its fields, versions and defaults follow Kafka 3.9's InitProducerIdRequest spec.
public struct InitProducerIdRequest: KafkaRequest {
    public typealias Response = InitProducerIdResponse
    public static let apiKey = ApiKey.initProducerId
    public static let validVersions: Versions = "0-5"
    public static let flexibleVersions: Versions = "2+"

    /// nil for an idempotent (non-transactional) producer.
    public var transactionalId: String?
    /// Transaction timeout in milliseconds (transactional producers only).
    public var transactionTimeoutMs: Int32 = 0
    /// The producer's current id when it asks for a new epoch (v3+), else -1.
    public var producerId: Int64 = -1
    /// The producer's current epoch when it asks for a new epoch (v3+), else -1.
    public var producerEpoch: Int16 = -1

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("TransactionalId", \.transactionalId, .nullableString, versions: "0+", nullable: "0+"),
        Field("TransactionTimeoutMs", \.transactionTimeoutMs, .int32, versions: "0+"),
        Field("ProducerId", \.producerId, .int64, versions: "3+"),
        Field("ProducerEpoch", \.producerEpoch, .int16, versions: "3+"),
    ]
}

/// The InitProducerId response; its fields, versions and defaults follow Kafka 3.9's InitProducerIdResponse spec.
public struct InitProducerIdResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var producerId: Int64 = -1
    public var producerEpoch: Int16 = 0

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ProducerId", \.producerId, .int64, versions: "0+"),
        Field("ProducerEpoch", \.producerEpoch, .int16, versions: "0+"),
    ]
}
