// AddPartitionsToTxn (key 24), from Kafka 3.9's AddPartitionsToTxnRequest/Response specs.

/// Adds partitions to a producer's ongoing transaction. Clients send v0–3 (one
/// transaction, the `v3AndBelow…` fields); brokers send v4+ (KIP-890), which batches
/// several transactions and can only verify (`verifyOnly`) that partitions are already in
/// the transaction before a transactional produce is appended.
public struct AddPartitionsToTxnRequest: KafkaRequest {
    public typealias Response = AddPartitionsToTxnResponse
    public static let apiKey = ApiKey.addPartitionsToTxn
    public static let validVersions: Versions = "0-5"
    public static let flexibleVersions: Versions = "3+"

    /// The transactions to add partitions to (v4+).
    public var transactions: [Transaction] = []
    /// The one transaction's id (v0–3).
    public var v3AndBelowTransactionalId = ""
    /// Its current producer id (v0–3).
    public var v3AndBelowProducerId: Int64 = 0
    /// Its current producer epoch (v0–3).
    public var v3AndBelowProducerEpoch: Int16 = 0
    /// The partitions to add (v0–3).
    public var v3AndBelowTopics: [Topic] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Transactions", \.transactions, .array(Transaction.self), versions: "4+"),
        Field("V3AndBelowTransactionalId", \.v3AndBelowTransactionalId, .string, versions: "0-3"),
        Field("V3AndBelowProducerId", \.v3AndBelowProducerId, .int64, versions: "0-3"),
        Field("V3AndBelowProducerEpoch", \.v3AndBelowProducerEpoch, .int16, versions: "0-3"),
        Field("V3AndBelowTopics", \.v3AndBelowTopics, .array(Topic.self), versions: "0-3"),
    ]

    /// One transaction of a batched (v4+) request.
    public struct Transaction: KafkaStruct {
        public var transactionalId = ""
        public var producerId: Int64 = 0
        public var producerEpoch: Int16 = 0
        /// true: only check that the partitions are already in the transaction (KIP-890);
        /// false: add them.
        public var verifyOnly = false
        public var topics: [Topic] = []

        public init() {}
        public init(transactionalId: String, producerId: Int64, producerEpoch: Int16, verifyOnly: Bool, topics: [Topic]) {
            self.transactionalId = transactionalId
            self.producerId = producerId
            self.producerEpoch = producerEpoch
            self.verifyOnly = verifyOnly
            self.topics = topics
        }

        public static let fields: [Field<Self>] = [
            Field("TransactionalId", \.transactionalId, .string, versions: "4+"),
            Field("ProducerId", \.producerId, .int64, versions: "4+"),
            Field("ProducerEpoch", \.producerEpoch, .int16, versions: "4+"),
            Field("VerifyOnly", \.verifyOnly, .bool, versions: "4+"),
            Field("Topics", \.topics, .array(Topic.self), versions: "4+"),
        ]
    }

    /// A topic and the partition indexes to add ("AddPartitionsToTxnTopic").
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitions: [Int32] = []

        public init() {}
        public init(name: String, partitions: [Int32]) {
            self.name = name
            self.partitions = partitions
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(.int32), versions: "0+"),
        ]
    }
}

/// Per-partition outcomes: one list for the single transaction of v0–3, one per
/// transaction in v4+ (with a top-level error code).
public struct AddPartitionsToTxnResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    /// Top-level error (v4+), e.g. for a batch the broker could not handle at all.
    public var errorCode: Int16 = 0
    /// One entry per transaction of the request (v4+).
    public var resultsByTransaction: [TransactionResult] = []
    /// The results of the single transaction (v0–3).
    public var resultsByTopicV3AndBelow: [TopicResult] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "4+"),
        Field("ResultsByTransaction", \.resultsByTransaction, .array(TransactionResult.self), versions: "4+"),
        Field("ResultsByTopicV3AndBelow", \.resultsByTopicV3AndBelow, .array(TopicResult.self), versions: "0-3"),
    ]

    /// The results for one transaction (v4+).
    public struct TransactionResult: KafkaStruct {
        public var transactionalId = ""
        public var topicResults: [TopicResult] = []

        public init() {}
        public init(transactionalId: String, topicResults: [TopicResult]) {
            self.transactionalId = transactionalId
            self.topicResults = topicResults
        }

        public static let fields: [Field<Self>] = [
            Field("TransactionalId", \.transactionalId, .string, versions: "4+"),
            Field("TopicResults", \.topicResults, .array(TopicResult.self), versions: "4+"),
        ]
    }

    /// The results for one topic ("AddPartitionsToTxnTopicResult").
    public struct TopicResult: KafkaStruct {
        public var name = ""
        public var resultsByPartition: [PartitionResult] = []

        public init() {}
        public init(name: String, resultsByPartition: [PartitionResult]) {
            self.name = name
            self.resultsByPartition = resultsByPartition
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("ResultsByPartition", \.resultsByPartition, .array(PartitionResult.self), versions: "0+"),
        ]
    }

    /// One partition's error code ("AddPartitionsToTxnPartitionResult").
    public struct PartitionResult: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var partitionErrorCode: Int16 = 0

        public init() {}
        public init(partitionIndex: Int32, partitionErrorCode: Int16) {
            self.partitionIndex = partitionIndex
            self.partitionErrorCode = partitionErrorCode
        }

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("PartitionErrorCode", \.partitionErrorCode, .int16, versions: "0+"),
        ]
    }
}
