// DescribeTransactions (key 65), from Kafka 3.9's DescribeTransactionsRequest/Response specs.

/// Asks a transaction coordinator for the state of the given transactional ids (KIP-664).
public struct DescribeTransactionsRequest: KafkaRequest {
    public typealias Response = DescribeTransactionsResponse
    public static let apiKey = ApiKey.describeTransactions
    public static let validVersions: Versions = "0"
    public static let flexibleVersions: Versions = "0+"

    public var transactionalIds: [String] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("TransactionalIds", \.transactionalIds, .array(.string), versions: "0+"),
    ]
}

/// One state per asked transactional id (TRANSACTIONAL_ID_NOT_FOUND for unknown ones).
public struct DescribeTransactionsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var transactionStates: [TransactionState] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("TransactionStates", \.transactionStates, .array(TransactionState.self), versions: "0+"),
    ]

    /// One transactional id's state.
    public struct TransactionState: KafkaStruct {
        public var errorCode: Int16 = 0
        public var transactionalId = ""
        /// Kafka's state name: "Empty", "Ongoing", "PrepareCommit", "PrepareAbort",
        /// "CompleteCommit", "CompleteAbort", "Dead" or "PrepareEpochFence".
        public var transactionState = ""
        /// The transaction's timeout in milliseconds.
        public var transactionTimeoutMs: Int32 = 0
        /// When the ongoing transaction started, in milliseconds since the epoch; -1 when none.
        public var transactionStartTimeMs: Int64 = 0
        public var producerId: Int64 = 0
        public var producerEpoch: Int16 = 0
        /// The partitions in the transaction.
        public var topics: [Topic] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("TransactionalId", \.transactionalId, .string, versions: "0+"),
            Field("TransactionState", \.transactionState, .string, versions: "0+"),
            Field("TransactionTimeoutMs", \.transactionTimeoutMs, .int32, versions: "0+"),
            Field("TransactionStartTimeMs", \.transactionStartTimeMs, .int64, versions: "0+"),
            Field("ProducerId", \.producerId, .int64, versions: "0+"),
            Field("ProducerEpoch", \.producerEpoch, .int16, versions: "0+"),
            Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
        ]
    }

    /// A topic and its partitions in the transaction ("TopicData").
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
