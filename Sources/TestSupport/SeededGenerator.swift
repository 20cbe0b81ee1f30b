import Foundation

/// SplitMix64: a small, seeded generator, so that a random test can be run again with the
/// seed its failure message prints. Every test that draws random numbers uses one:
///
/// ```swift
/// var generator = SeededGenerator.forTest()   // prints "randomBytes…: SLUICE_TEST_SEED=…"
/// let bytes = generator.bytes(100)
/// #expect(decoded == bytes, "\(generator.reproduce)")
/// ```
///
/// `SLUICE_TEST_SEED=<n> swift test --filter <test>` repeats a run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The seed this generator started from.
    public let seed: UInt64
    private var state: UInt64

    /// A generator starting at `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// The seed for a test run: `SLUICE_TEST_SEED` if set, else a fresh random one.
    public static func seedForRun() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["SLUICE_TEST_SEED"], let seed = UInt64(text) { return seed }
        return UInt64.random(in: 0...UInt64.max)
    }

    /// A generator for one test, seeded by `seedForRun()`. Its seed is printed first (on
    /// standard error, beside the test's name) so that a test that fails — or crashes the
    /// process, leaving no failure message — can be repeated.
    public static func forTest(_ test: String = #function) -> SeededGenerator {
        let generator = SeededGenerator(seed: seedForRun())
        FileHandle.standardError.write(Data("\(test): \(generator.reproduce)\n".utf8))
        return generator
    }

    /// What to set to repeat this run: `SLUICE_TEST_SEED=<seed>`, for failure messages.
    public var reproduce: String { "SLUICE_TEST_SEED=\(seed)" }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
}
