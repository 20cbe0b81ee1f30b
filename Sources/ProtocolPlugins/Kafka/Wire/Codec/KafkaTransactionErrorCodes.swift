/// The error codes of the transaction APIs (InitProducerId with a transactional id,
/// AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, WriteTxnMarkers, TxnOffsetCommit,
/// DescribeTransactions, ListTransactions) and of transactional produce (KIP-98, KIP-890).
///
/// Kept apart like the group codes; `KafkaErrorCode.name` looks in every table.
extension KafkaErrorCode {
    /// The operation is not valid in the transaction's current state, or a transactional
    /// produce went to a partition that is not in the transaction.
    public static let invalidTxnState = KafkaErrorCode(48)
    /// The producer id is not the one assigned to the transactional id; re-initialize.
    public static let invalidProducerIdMapping = KafkaErrorCode(49)
    /// The transaction timeout exceeds the broker's `transactionMaxTimeoutMs`.
    public static let invalidTransactionTimeout = KafkaErrorCode(50)
    /// The coordinator is still completing the previous transaction of this id; retry.
    public static let concurrentTransactions = KafkaErrorCode(51)
    /// WriteTxnMarkers from a coordinator whose epoch is older than one already seen.
    public static let transactionCoordinatorFenced = KafkaErrorCode(52)
    /// Not attempted because another part of the same request failed.
    public static let operationNotAttempted = KafkaErrorCode(55)
    /// A newer producer with the same transactional id is active (or the transaction
    /// timed out and the epoch was bumped); this producer must close.
    public static let producerFenced = KafkaErrorCode(90)
    /// DescribeTransactions for a transactional id the coordinator does not know.
    public static let transactionalIdNotFound = KafkaErrorCode(105)
    /// The transaction hit an error the client recovers from by aborting (v5 AddPartitions,
    /// v4 AddOffsets/EndTxn/TxnOffsetCommit, KIP-890).
    public static let transactionAbortable = KafkaErrorCode(120)

    static let transactionNames: [Int16: String] = [
        48: "INVALID_TXN_STATE", 49: "INVALID_PRODUCER_ID_MAPPING", 50: "INVALID_TRANSACTION_TIMEOUT",
        51: "CONCURRENT_TRANSACTIONS", 52: "TRANSACTION_COORDINATOR_FENCED", 55: "OPERATION_NOT_ATTEMPTED",
        90: "PRODUCER_FENCED", 105: "TRANSACTIONAL_ID_NOT_FOUND", 120: "TRANSACTION_ABORTABLE",
    ]
}
