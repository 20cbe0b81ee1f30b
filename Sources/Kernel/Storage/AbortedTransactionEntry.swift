/// One aborted transaction as a partition log's index keeps it (an entry of Kafka's
/// `.txnindex`): the producer, the offsets of its first record and of its abort marker,
/// and the last stable offset once the marker was written.
public struct AbortedTransactionEntry: Sendable, Hashable {
    public var producerId: Int64
    /// The offset of the transaction's first record in the partition.
    public var firstOffset: Int64
    /// The offset of the abort marker.
    public var lastOffset: Int64
    /// The partition's last stable offset after the marker (informational: a reader may
    /// stop looking once an entry's value reaches the end of its range).
    public var lastStableOffset: Int64

    public init(producerId: Int64, firstOffset: Int64, lastOffset: Int64, lastStableOffset: Int64) {
        self.producerId = producerId
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
        self.lastStableOffset = lastStableOffset
    }

    /// Whether the transaction overlaps offsets [`offset`, `end`).
    public func overlaps(from offset: Int64, upTo end: Int64) -> Bool {
        lastOffset >= offset && firstOffset < end
    }
}
