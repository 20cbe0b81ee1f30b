/// The cleaner's key → latest-offset map, in a fixed amount of memory (Kafka's
/// "skimpy" offset map). Keys are stored as 128-bit hashes, so an entry takes 24 bytes
/// whatever the key's size; the table fills to 90% of its slots.
///
/// Two keys whose 128-bit hashes collide would be treated as one (the odds for 10M keys
/// are about 1 in 10^23, as with Kafka's MD5).
public struct CompactionOffsetMap: Sendable {
    /// Bytes per slot: two hash words and an offset.
    public static let bytesPerEntry = 24
    /// Fraction of slots used before the map reports itself full.
    public static let loadFactor = 0.9

    private var table: [UInt64]
    private let slots: Int
    /// Entries it holds at most.
    public let capacity: Int
    /// Entries held.
    public private(set) var count = 0
    /// The largest offset put so far (-1 when none).
    public private(set) var latestOffset: Int64 = -1

    /// A map using `memoryBytes` bytes (at least one slot).
    public init(memoryBytes: Int) {
        slots = max(1, memoryBytes / Self.bytesPerEntry)
        capacity = max(1, Int(Double(slots) * Self.loadFactor))
        table = [UInt64](repeating: 0, count: slots * 3)
    }

    /// The memory the table holds, in bytes.
    public var memoryBytes: Int { slots * Self.bytesPerEntry }

    /// Free entries left.
    public var remaining: Int { capacity - count }

    /// Records `offset` as the latest for `key`. Returns false, changing nothing, when the
    /// key is new and the map is full.
    @discardableResult
    public mutating func put(_ key: UnsafeRawBufferPointer, offset: Int64) -> Bool {
        let (h1, h2) = KeyHash.hash128(key)
        var slot = Int(h1 % UInt64(slots))
        while true {
            let base = slot * 3
            if table[base + 2] == 0 {
                guard count < capacity else { return false }
                table[base] = h1
                table[base + 1] = h2
                table[base + 2] = UInt64(bitPattern: offset) &+ 1
                count += 1
                break
            }
            if table[base] == h1 && table[base + 1] == h2 {
                table[base + 2] = UInt64(bitPattern: offset) &+ 1
                break
            }
            slot = slot + 1 == slots ? 0 : slot + 1
        }
        latestOffset = max(latestOffset, offset)
        return true
    }

    /// The latest offset recorded for `key`, or nil.
    public func get(_ key: UnsafeRawBufferPointer) -> Int64? {
        let (h1, h2) = KeyHash.hash128(key)
        var slot = Int(h1 % UInt64(slots))
        for _ in 0..<slots {
            let base = slot * 3
            let stored = table[base + 2]
            if stored == 0 { return nil }
            if table[base] == h1 && table[base + 1] == h2 { return Int64(bitPattern: stored &- 1) }
            slot = slot + 1 == slots ? 0 : slot + 1
        }
        return nil
    }

    /// Empties the map, keeping its memory.
    public mutating func clear() {
        for i in table.indices { table[i] = 0 }
        count = 0
        latestOffset = -1
    }
}

/// MurmurHash3 x64 128-bit, used to key the offset map.
enum KeyHash {
    static func hash128(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0x5EED_C1EA) -> (UInt64, UInt64) {
        let c1: UInt64 = 0x87c3_7b91_1142_53d5, c2: UInt64 = 0x4cf5_ad43_2745_937f
        var h1 = seed, h2 = seed
        let length = bytes.count
        let blocks = length / 16
        for i in 0..<blocks {
            var k1 = bytes.loadUnaligned(fromByteOffset: i * 16, as: UInt64.self).littleEndian
            var k2 = bytes.loadUnaligned(fromByteOffset: i * 16 + 8, as: UInt64.self).littleEndian
            k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
            h1 = rotl(h1, 27); h1 &+= h2; h1 = h1 &* 5 &+ 0x52dc_e729
            k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
            h2 = rotl(h2, 31); h2 &+= h1; h2 = h2 &* 5 &+ 0x3849_5ab5
        }
        var k1: UInt64 = 0, k2: UInt64 = 0
        let tail = blocks * 16
        for i in stride(from: length - 1, through: tail, by: -1) {
            let byte = UInt64(bytes[i])
            if i - tail >= 8 { k2 = (k2 << 8) | byte } else { k1 = (k1 << 8) | byte }
        }
        if length - tail > 8 { k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2 }
        if length - tail > 0 { k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1 }
        h1 ^= UInt64(length); h2 ^= UInt64(length)
        h1 &+= h2; h2 &+= h1
        h1 = fmix(h1); h2 = fmix(h2)
        h1 &+= h2; h2 &+= h1
        return (h1, h2)
    }

    private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    private static func fmix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33; k &*= 0xff51_afd7_ed55_8ccd
        k ^= k >> 33; k &*= 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }
}
