/// The two seams between the transaction coordinator (which owns each transactional id's
/// state) and the partitions (which hold the records, the producers' open transactions and
/// the last stable offset). On one node both sides live in one `Broker`; in cluster mode a
/// partition leader reaches the coordinator, and the coordinator reaches partition leaders,
/// over broker-to-broker calls that implement the same protocols.

/// A commit or abort marker for one transaction of one producer (KIP-98): written by the
/// coordinator into every partition of the transaction as a control batch.
public struct TransactionMarker: Sendable, Hashable {
    public var producerId: Int64
    public var producerEpoch: Int16
    /// true: commit; false: abort.
    public var commit: Bool
    /// The coordinator's epoch when it wrote the marker; a partition refuses a marker from
    /// an older coordinator epoch than one it has already seen for that producer.
    public var coordinatorEpoch: Int32

    public init(producerId: Int64, producerEpoch: Int16, commit: Bool, coordinatorEpoch: Int32) {
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.commit = commit
        self.coordinatorEpoch = coordinatorEpoch
    }
}

/// An aborted transaction in a partition: the producer and the offset of its first record
/// there, as a read_committed Fetch answer lists it.
public struct AbortedTransaction: Sendable, Hashable {
    public var producerId: Int64
    public var firstOffset: Int64

    public init(producerId: Int64, firstOffset: Int64) {
        self.producerId = producerId
        self.firstOffset = firstOffset
    }
}

/// What the coordinator says about a transactional produce to a partition (KIP-890 part 1).
public enum TransactionVerification: Sendable, Hashable {
    /// The partition was added to the producer's ongoing transaction with this epoch.
    case ongoing
    /// No ongoing transaction of this producer includes the partition (INVALID_TXN_STATE).
    case notInTransaction
    /// The epoch is older than the coordinator's (PRODUCER_FENCED / INVALID_PRODUCER_EPOCH).
    case fenced(currentEpoch: Int16)
    /// The coordinator is still completing the previous transaction (CONCURRENT_TRANSACTIONS):
    /// the producer retries.
    case concurrent
    /// The coordinator cannot answer now (COORDINATOR_NOT_AVAILABLE / NOT_COORDINATOR).
    case unavailable
}

/// Asked by a partition before the first transactional append of (producer, epoch) there,
/// so that a late or unregistered produce cannot open a transaction nothing will close.
public protocol TransactionVerifier: Sendable {
    func verify(transactionalProducer producerId: Int64, epoch producerEpoch: Int16,
                partition: TopicPartition) async -> TransactionVerification

    /// The same question with the producer's transactional id (Produce v3+ carries it),
    /// which a cluster needs to find the coordinator. By default the id is not used.
    func verify(transactionalId: String?, producer producerId: Int64, epoch producerEpoch: Int16,
                partition: TopicPartition) async -> TransactionVerification
}

extension TransactionVerifier {
    public func verify(transactionalId: String?, producer producerId: Int64, epoch producerEpoch: Int16,
                       partition: TopicPartition) async -> TransactionVerification {
        await verify(transactionalProducer: producerId, epoch: producerEpoch, partition: partition)
    }
}

/// Used by the coordinator to complete a transaction: writes `marker` as a control batch
/// into each partition (appended by that partition's leader, replicated like data), ends
/// the producer's open transaction there, moves the last stable offset and, for an abort,
/// records the transaction in the partition's aborted-transaction index. Returns the
/// partitions that failed, with their error; the coordinator retries those until they
/// succeed (a marker is idempotent for the same producer, epoch and outcome).
public protocol TransactionMarkerWriter: Sendable {
    func writeMarkers(_ marker: TransactionMarker, partitions: [TopicPartition]) async -> [TopicPartition: BrokerError]
}
