/// Follows transactions through one cleaning pass, batch by batch in offset order (Kafka's
/// `CleanedTransactionMetadata`), so that the cleaner can drop aborted data and, once it is
/// safe, the markers themselves:
///
/// - a transactional data batch inside an aborted transaction (the aborted-transaction
///   index says which) loses its records, whatever their keys, and is never put in the
///   offset map (an aborted record must not supersede a committed one);
/// - a marker may go only when no data of its transaction is left before it: an abort
///   marker when every aborted batch of it was removed, a commit marker when this pass met
///   no data batch of its transaction. It then gets a delete horizon (`delete.retention.ms`,
///   KIP-534, as tombstones do) and is removed by a pass after the horizon, so a consumer
///   that read the data before it was cleaned still finds the marker.
///
/// One value per pass over the batches from the log start; the mapping pass uses its own.
public struct CompactionTransactions: Sendable {
    /// Aborted transactions, by first offset; `next` is the first not yet begun.
    private let aborted: [AbortedTransactionEntry]
    private var next = 0
    /// Producer id → its aborted transaction under way at the current offset, and whether a
    /// batch of it was kept (as an empty header).
    private var ongoingAborted: [Int64: (entry: AbortedTransactionEntry, batchKept: Bool)] = [:]
    /// Producers whose committed (or still open) transaction had a data batch in this pass.
    private var ongoingCommitted: Set<Int64> = []

    /// - Parameter aborted: the aborted transactions overlapping the cleaned range, from
    ///   the partition's aborted-transaction index (in any order).
    public init(aborted: [AbortedTransactionEntry]) {
        self.aborted = aborted.sorted { ($0.firstOffset, $0.lastOffset) < ($1.firstOffset, $1.lastOffset) }
    }

    private mutating func begin(upTo offset: Int64) {
        while next < aborted.count, aborted[next].firstOffset <= offset {
            ongoingAborted[aborted[next].producerId] = (aborted[next], false)
            next += 1
        }
    }

    /// For a data batch: whether it belongs to an aborted transaction (drop its records).
    public mutating func isAborted(_ batch: RecordBatch) -> Bool {
        begin(upTo: batch.lastOffset)
        guard batch.isTransactional, !batch.isControl, batch.producerId >= 0 else { return false }
        if let ongoing = ongoingAborted[batch.producerId], ongoing.entry.lastOffset > batch.lastOffset { return true }
        ongoingCommitted.insert(batch.producerId)
        return false
    }

    /// An aborted batch was kept as an empty header (its producer's last batch): its
    /// transaction's marker must stay.
    public mutating func keptAbortedBatch(of producerId: Int64) {
        ongoingAborted[producerId]?.batchKept = true
    }

    /// For a control batch: true when no data of its transaction remains before it, so the
    /// marker may be removed once its delete horizon has passed.
    public mutating func markerIsRemovable(_ batch: RecordBatch) -> Bool {
        begin(upTo: batch.lastOffset)
        guard batch.isControl else { return false }
        // A control batch emptied by an earlier clean holds nothing to keep.
        guard batch.recordCount > 0 else { return true }
        guard let marker = ControlRecord.marker(in: batch) else { return false }
        if marker.commit {
            return ongoingCommitted.remove(batch.producerId) == nil
        }
        guard let ongoing = ongoingAborted.removeValue(forKey: batch.producerId) else { return true }
        return !ongoing.batchKept
    }
}
