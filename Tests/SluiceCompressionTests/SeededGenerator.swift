import Foundation

/// SplitMix64: a small, seeded generator, so that a random test can be run again with the
/// seed its failure message prints.
struct SeededGenerator: RandomNumberGenerator {
    private(set) var state: UInt64

    /// A generator starting at `seed`; the seed comes from `SLUICE_TEST_SEED` when set.
    init(seed: UInt64) { state = seed }

    /// The seed for a test run: `SLUICE_TEST_SEED` if set, else a fresh random one.
    static func seedForRun() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["SLUICE_TEST_SEED"], let seed = UInt64(text) { return seed }
        return UInt64.random(in: 0...UInt64.max)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
}
