// AddOffsetsToTxn (key 25), from Kafka 3.9's AddOffsetsToTxnRequest/Response specs.

/// Adds a consumer group's offsets to a transaction (`sendOffsetsToTransaction`): the
/// producer then sends TxnOffsetCommit to the group's coordinator.
public struct AddOffsetsToTxnRequest: KafkaRequest {
    public typealias Response = AddOffsetsToTxnResponse
    public static let apiKey = ApiKey.addOffsetsToTxn
    public static let validVersions: Versions = "0-4"
    public static let flexibleVersions: Versions = "3+"

    public var transactionalId = ""
    /// The producer id currently in use by the transactional id.
    public var producerId: Int64 = 0
    /// The epoch currently associated with the producer id.
    public var producerEpoch: Int16 = 0
    /// The group whose offsets the transaction will commit.
    public var groupId = ""

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("TransactionalId", \.transactionalId, .string, versions: "0+"),
        Field("ProducerId", \.producerId, .int64, versions: "0+"),
        Field("ProducerEpoch", \.producerEpoch, .int16, versions: "0+"),
        Field("GroupId", \.groupId, .string, versions: "0+"),
    ]
}

/// The AddOffsetsToTxn response: one error code.
public struct AddOffsetsToTxnResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
    ]
}
