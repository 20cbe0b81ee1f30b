import SluiceKernel

/// Chooses partitions the way Kafka's default producer does, so that a keyed event
/// lands where a Kafka producer would put the same key.
struct Partitioner: Sendable {
    /// Advances once per chunk: unkeyed events of a chunk stay together in one
    /// partition (one batch) and successive chunks spread over the partitions, as
    /// Kafka's sticky partitioner does.
    private var stickyCounter: Int

    init(seed: Int = Int.random(in: 0..<1 << 20)) {
        stickyCounter = seed
    }

    /// The partition for unkeyed events of the current chunk.
    func sticky(partitions: Int32) -> Int32 {
        Int32(stickyCounter % Int(partitions))
    }

    /// Moves unkeyed events to the next partition (call once per chunk).
    mutating func advance() {
        stickyCounter &+= 1
        if stickyCounter < 0 { stickyCounter = 0 }
    }

    /// Kafka's keyed choice (see `KeyPartitioner`).
    static func partition(forKey key: [UInt8], partitions: Int32) -> Int32 {
        KeyPartitioner.partition(forKey: key, partitions: partitions)
    }
}
