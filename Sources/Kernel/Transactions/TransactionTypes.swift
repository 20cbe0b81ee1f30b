import Foundation

/// Why the transaction coordinator refused a request; each maps to one Kafka error code.
public enum TransactionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// In a cluster, another broker coordinates this transactional id (FindCoordinator names it).
    case notCoordinator
    /// The coordinator cannot answer now (its store failed or it is shutting down); retry.
    case coordinatorNotAvailable
    /// `transaction.timeout.ms` is not positive or exceeds `transactionMaxTimeoutMs`.
    case invalidTransactionTimeout(requested: Int32, max: Int32)
    /// The request's epoch is not the producer's current one: a newer producer with the
    /// same transactional id, or the coordinator (timeout), fenced it.
    case producerFenced(current: Int16)
    /// The producer id is not the one the coordinator holds for this transactional id.
    case invalidProducerIdMapping
    /// The request does not fit the transaction's state (e.g. EndTxn with nothing added).
    case invalidTxnState(String)
    /// The previous transaction is still being completed; retry shortly.
    case concurrentTransactions
    /// The metadata store refused the write; nothing changed.
    case storage(String)

    public var description: String {
        switch self {
        case .notCoordinator: "this broker does not coordinate the transactional id; find its coordinator"
        case .coordinatorNotAvailable: "the transaction coordinator is not available; retry"
        case .invalidTransactionTimeout(let requested, let max):
            "transaction.timeout.ms \(requested) must be between 1 and the broker's transactionMaxTimeoutMs \(max)"
        case .producerFenced(let current): "the producer was fenced: the transactional id's current epoch is \(current)"
        case .invalidProducerIdMapping: "the producer id does not belong to this transactional id; call InitProducerId"
        case .invalidTxnState(let why): "invalid transaction state: \(why)"
        case .concurrentTransactions: "the previous transaction of this transactional id is still completing; retry"
        case .storage(let why): "storing the transaction state failed: \(why)"
        }
    }
}

/// A producer id and epoch handed to a transactional producer.
public struct TransactionalProducer: Sendable, Equatable {
    public var producerId: Int64
    public var producerEpoch: Int16

    public init(producerId: Int64, producerEpoch: Int16) {
        self.producerId = producerId
        self.producerEpoch = producerEpoch
    }
}

/// A transaction as DescribeTransactions and ListTransactions show it.
public struct TransactionDescription: Sendable, Equatable {
    public var transactionalId: String
    public var producerId: Int64
    public var producerEpoch: Int16
    public var status: TransactionStatus
    public var timeoutMs: Int32
    /// When the open transaction started, in milliseconds since 1970; -1 when none is open.
    public var startTimeMs: Int64
    public var partitions: [TopicPartition]
    public var groups: [String]

    public init(_ record: TransactionStateRecord) {
        transactionalId = record.transactionalId
        producerId = record.producerId
        producerEpoch = record.producerEpoch
        status = record.status
        timeoutMs = record.timeoutMs
        startTimeMs = record.startedAt.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? -1
        partitions = record.partitions
        groups = record.groups
    }
}

/// Coordinator settings (broker-level; Kafka's names in comments).
public struct TransactionCoordinatorConfig: Sendable {
    /// transaction.max.timeout.ms: the largest `transaction.timeout.ms` a producer may ask
    /// for, in milliseconds. Default 900000 (15 minutes).
    public var maxTimeoutMs: Int32 = 900_000
    /// How often open transactions are checked against their timeout, in milliseconds
    /// (transaction.abort.timed.out.transaction.cleanup.interval.ms). Default 1000.
    public var abortTimedOutIntervalMs: Int64 = 1_000
    /// The first pause before writing markers again after a failure, doubling up to 5 s,
    /// in milliseconds. Default 100.
    public var markerRetryBackoffMs: Int64 = 100
    /// Written into every marker; a partition refuses markers from an older coordinator
    /// epoch. Default 0 (one node).
    public var coordinatorEpoch: Int32 = 0
    /// A transactional id with no open transaction whose last update is older than this is
    /// removed from the store (transactional.id.expiration.ms), in milliseconds. Default
    /// 604800000 (7 days).
    public var transactionalIdExpirationMs: Int64 = 604_800_000
    /// How often expired transactional ids are looked for, in milliseconds
    /// (transaction.remove.expired.transaction.cleanup.interval.ms); never less often than
    /// the expiration itself. Default 3600000 (1 hour).
    public var removeExpiredIdsIntervalMs: Int64 = 3_600_000

    public init() {}
}

/// Where committed transactions' staged offsets become a group's offsets (the
/// `GroupCoordinator`), so that the coordinator can complete a transaction with groups.
public protocol TransactionalOffsetsCompleter: Sendable {
    /// Makes `producerId`'s staged offsets of `group` committed (`commit`) or drops them.
    func completeTransactionalOffsets(group: String, producerId: Int64, commit: Bool) async throws
}
