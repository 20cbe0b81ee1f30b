// ListTransactions (key 66), from Kafka 3.9's ListTransactionsRequest/Response specs.

/// Lists the transactions a coordinator knows, filtered by state, producer id and (v1+,
/// KIP-994) how long they have been running.
public struct ListTransactionsRequest: KafkaRequest {
    public typealias Response = ListTransactionsResponse
    public static let apiKey = ApiKey.listTransactions
    public static let validVersions: Versions = "0-1"
    public static let flexibleVersions: Versions = "0+"

    /// Only these states (Kafka's names, e.g. "Ongoing"); empty for all.
    public var stateFilters: [String] = []
    /// Only these producer ids; empty for all.
    public var producerIdFilters: [Int64] = []
    /// Only transactions running longer than this many milliseconds (v1+); -1 for all.
    public var durationFilter: Int64 = -1

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("StateFilters", \.stateFilters, .array(.string), versions: "0+"),
        Field("ProducerIdFilters", \.producerIdFilters, .array(.int64), versions: "0+"),
        Field("DurationFilter", \.durationFilter, .int64, versions: "1+"),
    ]
}

/// The matching transactions, and the state filters the coordinator did not know.
public struct ListTransactionsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var unknownStateFilters: [String] = []
    public var transactionStates: [TransactionState] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("UnknownStateFilters", \.unknownStateFilters, .array(.string), versions: "0+"),
        Field("TransactionStates", \.transactionStates, .array(TransactionState.self), versions: "0+"),
    ]

    /// One transaction: its id, producer id and state name.
    public struct TransactionState: KafkaStruct {
        public var transactionalId = ""
        public var producerId: Int64 = 0
        /// Kafka's state name, e.g. "Ongoing".
        public var transactionState = ""

        public init() {}
        public init(transactionalId: String, producerId: Int64, transactionState: String) {
            self.transactionalId = transactionalId
            self.producerId = producerId
            self.transactionState = transactionState
        }

        public static let fields: [Field<Self>] = [
            Field("TransactionalId", \.transactionalId, .string, versions: "0+"),
            Field("ProducerId", \.producerId, .int64, versions: "0+"),
            Field("TransactionState", \.transactionState, .string, versions: "0+"),
        ]
    }
}
