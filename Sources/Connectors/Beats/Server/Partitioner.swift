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

    /// Kafka's keyed choice: `toPositive(murmur2(key)) % partitions`.
    static func partition(forKey key: [UInt8], partitions: Int32) -> Int32 {
        Int32(bitPattern: murmur2(key) & 0x7FFF_FFFF) % partitions
    }

    /// MurmurHash2 (32-bit, seed 0x9747b28c), byte-for-byte as Kafka's `Utils.murmur2`.
    static func murmur2(_ data: [UInt8]) -> UInt32 {
        let m: UInt32 = 0x5BD1_E995
        let length = data.count
        var h: UInt32 = 0x9747_B28C ^ UInt32(truncatingIfNeeded: length)
        var index = 0
        while index + 4 <= length {
            var k = UInt32(data[index]) | UInt32(data[index + 1]) << 8 | UInt32(data[index + 2]) << 16 | UInt32(data[index + 3]) << 24
            k = k &* m
            k ^= k >> 24
            k = k &* m
            h = h &* m
            h ^= k
            index += 4
        }
        let tail = length & ~3
        switch length % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default:
            break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return h
    }
}
