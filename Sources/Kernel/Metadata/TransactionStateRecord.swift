import Foundation

/// Where a transactional id's current transaction is (Kafka's TransactionState, KIP-98).
public enum TransactionStatus: String, Sendable, Equatable, Codable, CaseIterable {
    /// No transaction since the producer id was handed out.
    case empty = "Empty"
    /// Partitions or groups were added; EndTxn or the timeout ends it.
    case ongoing = "Ongoing"
    /// Commit decided and stored; markers are being written.
    case prepareCommit = "PrepareCommit"
    /// Abort decided and stored; markers are being written.
    case prepareAbort = "PrepareAbort"
    /// Every commit marker is written.
    case completeCommit = "CompleteCommit"
    /// Every abort marker is written.
    case completeAbort = "CompleteAbort"

    /// The decision is stored but the markers are not all written yet.
    public var isCompleting: Bool { self == .prepareCommit || self == .prepareAbort }
}

/// The durable state of one transactional id, written to the `MetadataStore` before the
/// coordinator answers any request that changed it, so that a restarted (or, in a
/// cluster, another) coordinator continues exactly where this one stopped.
public struct TransactionStateRecord: Sendable, Equatable, Codable {
    public var transactionalId: String
    public var producerId: Int64
    /// The producer's current epoch; requests with an older one are fenced.
    public var producerEpoch: Int16
    /// The epoch before the last bump (-1 when none): a retried InitProducerId whose answer
    /// was lost presents it and gets the current epoch back instead of being fenced.
    public var lastProducerEpoch: Int16
    public var status: TransactionStatus
    /// `transaction.timeout.ms` the producer asked for, in milliseconds.
    public var timeoutMs: Int32
    /// The partitions of the current transaction, sorted.
    public var partitions: [TopicPartition]
    /// Consumer groups whose offsets the current transaction commits (AddOffsetsToTxn), sorted.
    public var groups: [String]
    /// When the current transaction's first partition or group was added; nil when none is open.
    public var startedAt: Date?
    public var updatedAt: Date

    public init(transactionalId: String, producerId: Int64, producerEpoch: Int16, lastProducerEpoch: Int16 = -1,
                status: TransactionStatus = .empty, timeoutMs: Int32, partitions: [TopicPartition] = [], groups: [String] = [],
                startedAt: Date? = nil, updatedAt: Date = Date()) {
        self.transactionalId = transactionalId
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.lastProducerEpoch = lastProducerEpoch
        self.status = status
        self.timeoutMs = timeoutMs
        self.partitions = partitions
        self.groups = groups
        self.startedAt = startedAt
        self.updatedAt = updatedAt
    }
}

/// Offsets a transaction committed for a group through TxnOffsetCommit (KIP-98, KIP-447),
/// staged durably until the transaction ends: they become the group's committed offsets
/// when it commits and vanish when it aborts.
public struct StagedTransactionalOffsets: Sendable, Equatable {
    public var producerId: Int64
    public var offsets: [TopicPartition: CommittedOffset]

    public init(producerId: Int64, offsets: [TopicPartition: CommittedOffset]) {
        self.producerId = producerId
        self.offsets = offsets
    }
}
