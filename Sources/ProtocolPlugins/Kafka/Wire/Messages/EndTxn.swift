// EndTxn (key 26), from Kafka 3.9's EndTxnRequest/Response specs.

/// Commits or aborts a producer's ongoing transaction.
public struct EndTxnRequest: KafkaRequest {
    public typealias Response = EndTxnResponse
    public static let apiKey = ApiKey.endTxn
    public static let validVersions: Versions = "0-4"
    public static let flexibleVersions: Versions = "3+"

    public var transactionalId = ""
    public var producerId: Int64 = 0
    /// The epoch currently associated with the producer id.
    public var producerEpoch: Int16 = 0
    /// true to commit the transaction, false to abort it.
    public var committed = false

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("TransactionalId", \.transactionalId, .string, versions: "0+"),
        Field("ProducerId", \.producerId, .int64, versions: "0+"),
        Field("ProducerEpoch", \.producerEpoch, .int16, versions: "0+"),
        Field("Committed", \.committed, .bool, versions: "0+"),
    ]
}

/// The EndTxn response: one error code (v2+ may carry PRODUCER_FENCED).
public struct EndTxnResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
    ]
}
