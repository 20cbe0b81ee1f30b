/// Transaction coordination as the Kafka plugin drives it (InitProducerId with a
/// transactional id, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, DescribeTransactions,
/// ListTransactions). `TransactionCoordinator` implements it.
public protocol TransactionService: Sendable {
    /// Whether this broker coordinates `transactionalId` (always on a single node).
    func coordinates(_ transactionalId: String) async -> Bool
    /// InitProducerId: the producer id and the next epoch, stored before it is returned.
    func initProducerId(transactionalId: String, timeoutMs: Int32,
                        expected: TransactionalProducer?) async -> Result<TransactionalProducer, TransactionError>
    /// AddPartitionsToTxn: one result per partition (nil: added, or with `verifyOnly` present).
    func addPartitions(transactionalId: String, producerId: Int64, producerEpoch: Int16, partitions: [TopicPartition],
                       verifyOnly: Bool) async -> [TopicPartition: TransactionError?]
    /// AddOffsetsToTxn: the transaction will commit offsets of `groupId`.
    func addOffsets(transactionalId: String, producerId: Int64, producerEpoch: Int16, groupId: String) async -> TransactionError?
    /// EndTxn: commits or aborts the open transaction.
    func endTransaction(transactionalId: String, producerId: Int64, producerEpoch: Int16, commit: Bool) async -> TransactionError?
    /// DescribeTransactions for one id (nil: unknown to this coordinator).
    func describe(transactionalId: String) async -> Result<TransactionDescription?, TransactionError>
    /// ListTransactions, filtered (empty sets match all; `minDurationMs` < 0: any duration).
    func list(statuses: Set<TransactionStatus>, producerIds: Set<Int64>, minDurationMs: Int64) async -> [TransactionDescription]
}

extension TransactionCoordinator: TransactionService {}
