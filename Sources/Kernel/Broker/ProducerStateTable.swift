/// Idempotent and transactional producers' bookkeeping for one partition (Kafka's
/// ProducerStateManager, in small): the last sequence numbers each producer wrote, so a
/// retried batch is answered with its original offsets instead of being appended twice
/// and a gap is refused; and each producer's open transaction here (the offset of its
/// first record), which bounds the last stable offset.
struct ProducerStateTable: Sendable {
    /// Batches remembered per producer for duplicate detection (Kafka keeps 5, the most
    /// in-flight requests an idempotent producer may have).
    static let remembered = 5

    struct Entry: Sendable {
        var epoch: Int16
        /// Recent batches, oldest first: (firstSeq, lastSeq, firstOffset, lastOffset).
        var batches: [(firstSeq: Int32, lastSeq: Int32, firstOffset: Int64, lastOffset: Int64)]
        var lastSeq: Int32 { batches.last?.lastSeq ?? -1 }
        /// The offset of the first record of this producer's open transaction in the
        /// partition; nil when none is open.
        var transactionFirstOffset: Int64?
        /// The coordinator epoch of the last marker written for this producer; -1 before any.
        var coordinatorEpoch: Int32 = -1
        /// Max timestamp (ms) of the producer's last batch, -1 when unknown.
        var lastTimestamp: Int64 = -1
    }

    enum Verdict {
        case append
        /// A retry of a batch already in the log: answer with these offsets.
        case duplicate(firstOffset: Int64, lastOffset: Int64)
    }

    /// What a marker found: the open transaction it ended, if any.
    struct Completion: Sendable, Equatable {
        var producerId: Int64
        var firstOffset: Int64
        var markerOffset: Int64
        var commit: Bool
    }

    private(set) var producers: [Int64: Entry] = [:]
    /// Producer id → first offset of its open transaction (the entries' values, kept
    /// apart so the last stable offset is found without visiting every producer).
    private(set) var openTransactions: [Int64: Int64] = [:]

    /// The first offset of the oldest open transaction, nil when none is open.
    var firstOpenTransactionOffset: Int64? { openTransactions.values.min() }

    func entry(_ producerId: Int64) -> Entry? { producers[producerId] }

    /// Decides what to do with a producer's batch (never a control batch: those are
    /// written by `Partition.writeMarker`).
    func check(_ batch: RecordBatch, partition: TopicPartition) throws(BrokerError) -> Verdict {
        let pid = batch.producerId
        if batch.isTransactional && (pid < 0 || batch.baseSequence < 0) {
            throw .invalidRecord(.malformedRecord("a transactional batch needs a producer id and a sequence number"))
        }
        guard pid >= 0, batch.baseSequence >= 0 else { return .append }
        guard let entry = producers[pid] else { return .append }
        if batch.producerEpoch < entry.epoch {
            throw .invalidProducerEpoch(producerId: pid, current: entry.epoch, received: batch.producerEpoch)
        }
        if !batch.isTransactional, entry.transactionFirstOffset != nil {
            throw .invalidTxnState(partition, "producer \(pid) has an open transaction on \(partition) "
                                   + "(from offset \(entry.transactionFirstOffset!)); it cannot write outside it until the transaction ends")
        }
        if batch.producerEpoch > entry.epoch {
            // A new epoch restarts sequences at 0.
            guard batch.baseSequence == 0 else {
                throw .outOfOrderSequence(partition, producerId: pid, expected: 0, received: batch.baseSequence)
            }
            return .append
        }
        let lastSeq = batch.baseSequence &+ batch.lastOffsetDelta
        if let old = entry.batches.first(where: { $0.firstSeq == batch.baseSequence && $0.lastSeq == lastSeq }) {
            return .duplicate(firstOffset: old.firstOffset, lastOffset: old.lastOffset)
        }
        let expected = entry.lastSeq == Int32.max ? 0 : entry.lastSeq + 1
        guard batch.baseSequence == expected else {
            throw .outOfOrderSequence(partition, producerId: pid, expected: expected, received: batch.baseSequence)
        }
        return .append
    }

    /// Whether `batch` would open a transaction here (a transactional batch of a producer
    /// without an open transaction in this partition): KIP-890 verifies those first.
    func opensTransaction(_ batch: RecordBatch) -> Bool {
        batch.isTransactional && !batch.isControl && producers[batch.producerId]?.transactionFirstOffset == nil
    }

    /// Records a batch appended at `firstOffset` (a producer's batch, or a control batch
    /// read back or replicated). Returns the transaction a marker ended, if any.
    @discardableResult
    mutating func record(_ batch: RecordBatch, firstOffset: Int64) -> Completion? {
        let pid = batch.producerId
        guard pid >= 0 else { return nil }
        if batch.isControl {
            guard let marker = ControlRecord.marker(in: batch) else { return nil }
            return recordMarker(producerId: pid, epoch: batch.producerEpoch, commit: marker.commit,
                                coordinatorEpoch: marker.coordinatorEpoch, at: firstOffset, timestamp: batch.maxTimestamp)
        }
        guard batch.baseSequence >= 0 else { return nil }
        var entry = producers[pid] ?? Entry(epoch: batch.producerEpoch, batches: [])
        if batch.producerEpoch != entry.epoch {
            entry.epoch = batch.producerEpoch
            entry.batches = []
        }
        entry.batches.append((batch.baseSequence, batch.baseSequence &+ batch.lastOffsetDelta,
                              firstOffset, firstOffset + Int64(batch.lastOffsetDelta)))
        if entry.batches.count > Self.remembered { entry.batches.removeFirst() }
        entry.lastTimestamp = batch.maxTimestamp
        if batch.isTransactional, entry.transactionFirstOffset == nil {
            entry.transactionFirstOffset = firstOffset
            openTransactions[pid] = firstOffset
        }
        producers[pid] = entry
        return nil
    }

    /// Ends the producer's open transaction with a marker at `offset`; a newer producer
    /// epoch (the coordinator bumped it) restarts sequences.
    @discardableResult
    mutating func recordMarker(producerId pid: Int64, epoch: Int16, commit: Bool, coordinatorEpoch: Int32,
                               at offset: Int64, timestamp: Int64) -> Completion? {
        var entry = producers[pid] ?? Entry(epoch: epoch, batches: [])
        if epoch > entry.epoch {
            entry.epoch = epoch
            entry.batches = []
        }
        entry.coordinatorEpoch = max(entry.coordinatorEpoch, coordinatorEpoch)
        entry.lastTimestamp = timestamp
        let first = entry.transactionFirstOffset
        entry.transactionFirstOffset = nil
        openTransactions[pid] = nil
        producers[pid] = entry
        return first.map { Completion(producerId: pid, firstOffset: $0, markerOffset: offset, commit: commit) }
    }

    /// Every producer, for DescribeProducers.
    func describe() -> [ProducerState] {
        producers.map { pid, entry in
            ProducerState(producerId: pid, producerEpoch: entry.epoch, lastSequence: entry.lastSeq,
                          lastTimestamp: entry.lastTimestamp, coordinatorEpoch: entry.coordinatorEpoch,
                          currentTransactionStartOffset: entry.transactionFirstOffset ?? -1)
        }.sorted { $0.producerId < $1.producerId }
    }
}

/// One producer's state in a partition, as DescribeProducers (61) reports it.
public struct ProducerState: Sendable, Equatable {
    public var producerId: Int64
    public var producerEpoch: Int16
    /// The last sequence number written, -1 when none.
    public var lastSequence: Int32
    /// Max timestamp (ms) of the producer's last batch, -1 when unknown.
    public var lastTimestamp: Int64
    /// The coordinator epoch of the last marker for this producer, -1 when none.
    public var coordinatorEpoch: Int32
    /// The first offset of the producer's open transaction here, -1 when none is open.
    public var currentTransactionStartOffset: Int64

    public init(producerId: Int64, producerEpoch: Int16, lastSequence: Int32, lastTimestamp: Int64,
                coordinatorEpoch: Int32, currentTransactionStartOffset: Int64) {
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.lastSequence = lastSequence
        self.lastTimestamp = lastTimestamp
        self.coordinatorEpoch = coordinatorEpoch
        self.currentTransactionStartOffset = currentTransactionStartOffset
    }
}
