/// Idempotent-producer bookkeeping for one partition: the last sequence numbers each
/// producer wrote, so a retried batch is answered with its original offsets instead of
/// being appended twice, and a gap is refused (Kafka's ProducerStateManager, in small).
struct ProducerStateTable: Sendable {
    /// Batches remembered per producer for duplicate detection (Kafka keeps 5, the most
    /// in-flight requests an idempotent producer may have).
    static let remembered = 5

    struct Entry: Sendable {
        var epoch: Int16
        /// Recent batches, oldest first: (firstSeq, lastSeq, firstOffset, lastOffset).
        var batches: [(firstSeq: Int32, lastSeq: Int32, firstOffset: Int64, lastOffset: Int64)]
        var lastSeq: Int32 { batches.last?.lastSeq ?? -1 }
    }

    enum Verdict {
        case append
        /// A retry of a batch already in the log: answer with these offsets.
        case duplicate(firstOffset: Int64, lastOffset: Int64)
    }

    private var producers: [Int64: Entry] = [:]

    /// Decides what to do with an idempotent batch.
    func check(_ batch: RecordBatch, partition: TopicPartition) throws(BrokerError) -> Verdict {
        let pid = batch.producerId
        guard pid >= 0, batch.baseSequence >= 0 else { return .append }
        guard let entry = producers[pid] else { return .append }
        if batch.producerEpoch < entry.epoch {
            throw .invalidProducerEpoch(producerId: pid, current: entry.epoch, received: batch.producerEpoch)
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

    /// Records an appended idempotent batch at its assigned offsets.
    mutating func record(_ batch: RecordBatch, firstOffset: Int64) {
        let pid = batch.producerId
        guard pid >= 0, batch.baseSequence >= 0 else { return }
        var entry = producers[pid] ?? Entry(epoch: batch.producerEpoch, batches: [])
        if batch.producerEpoch != entry.epoch {
            entry = Entry(epoch: batch.producerEpoch, batches: [])
        }
        entry.batches.append((batch.baseSequence, batch.baseSequence &+ batch.lastOffsetDelta,
                              firstOffset, firstOffset + Int64(batch.lastOffsetDelta)))
        if entry.batches.count > Self.remembered { entry.batches.removeFirst() }
        producers[pid] = entry
    }
}
