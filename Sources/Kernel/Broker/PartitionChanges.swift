import Synchronization

/// A partition's change counter, readable without a hop to the `Partition` actor: bumped
/// whenever something a consumer's fetch answer carries could differ (high watermark, log
/// start, leadership or following, and the partition going away). A fetch that found
/// nothing to return keeps a `PartitionFetchMark`; while the counter has not moved, the
/// same read would find the same nothing, so a fetch session does not ask again.
/// Every bump also moves the broker's `FetchWakeups`, which parked fetches wait on.
public final class PartitionChanges: Sendable {
    private let counter = Atomic<UInt64>(0)
    let wakeups: FetchWakeups

    init(wakeups: FetchWakeups) { self.wakeups = wakeups }

    /// The counter now.
    var version: UInt64 { counter.load(ordering: .sequentiallyConsistent) }

    /// Called (on the partition's actor) after each change a fetch could see.
    func bump() {
        counter.add(1, ordering: .sequentiallyConsistent)
        wakeups.changed()
    }
}

/// A consumer read of one partition that found nothing: no error, no records, the fetch
/// offset at the high watermark (for read_committed, at the last stable offset). While the
/// partition's `PartitionChanges` counter stays at `version`, the same read (same offset
/// and leader epoch) answers the same, so a fetch session checks the mark in place
/// (`holds`) and leaves the partition out of its next kernel fetch. Kafka's FetchSession
/// skips unchanged partitions of an incremental session the same way.
public struct PartitionFetchMark: Sendable {
    let changes: PartitionChanges
    let version: UInt64
    /// The read's fetch offset and the leader epoch the client gave (-1 when none).
    public let fetchOffset: Int64
    public let currentLeaderEpoch: Int32
    /// The offsets the read found (the high watermark equals `fetchOffset`).
    public let highWatermark: Int64
    public let logStartOffset: Int64
    /// The last stable offset at the read (changes only with a bump, like the others).
    public let lastStableOffset: Int64
    /// Whether a read_committed read made the mark: it found nothing below the last stable
    /// offset, so it answers no read_uncommitted read (records may wait up to the high watermark).
    public let readCommitted: Bool

    /// Whether a read from `offset` with `currentLeaderEpoch` (read_committed or not) would
    /// find the same nothing now: the same read as the mark's, and the partition unchanged
    /// since (one atomic load, no hop). A read_uncommitted mark also answers read_committed
    /// (the last stable offset is at or below the high watermark), not the reverse. A fetch
    /// session checks its partitions this way and asks the kernel only for those where it is false.
    public func holds(offset: Int64, currentLeaderEpoch: Int32, readCommitted: Bool) -> Bool {
        offset == fetchOffset && currentLeaderEpoch == self.currentLeaderEpoch && (readCommitted || !self.readCommitted)
            && changes.version == version
    }

    /// Whether the partition is unchanged since the read (whatever is asked of it next).
    public var isCurrent: Bool { changes.version == version }
}
