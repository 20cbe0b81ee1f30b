import Foundation
import SluiceKernel
import SluiceSQLite
import Testing

/// The child side of ``DurabilityTests``: when the test binary is re-run with
/// ``variable`` set, this test opens the store at that path and commits offsets as fast
/// as it can, printing `ACK n` after each commit returns, until it is killed. In a
/// normal run the variable is unset and the test is skipped.
@Suite struct CrashChild {
    /// Holds `<database path>|<group>`.
    static let variable = "SLUICE_SQLITE_CRASH_CHILD"
    /// The test's name for `--filter`.
    static let filter = "CrashChild/commitUntilKilled"
    /// The child stops by itself after this long, in case no parent kills it.
    static let lifetime: Duration = .seconds(60)

    /// The two partitions commit `n` writes in one transaction, and their offsets.
    static func offsets(for n: Int) -> [TopicPartition: CommittedOffset] {
        [TopicPartition("a", Int32(n)): CommittedOffset(offset: Int64(n) * 10 + 1, leaderEpoch: Int32(n), metadata: "a\(n)"),
         TopicPartition("b", Int32(n)): CommittedOffset(offset: Int64(n) * 10 + 2, leaderEpoch: nil, metadata: nil)]
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[variable] != nil))
    func commitUntilKilled() async throws {
        let parts = try #require(ProcessInfo.processInfo.environment[Self.variable]).split(separator: "|")
        let store = try SQLiteMetadataStore(url: URL(fileURLWithPath: String(parts[0])))
        let group = String(parts[1])
        let deadline = ContinuousClock.now + Self.lifetime
        var n = 0
        while ContinuousClock.now < deadline {
            try await store.commitOffsets(group: group, Self.offsets(for: n))
            // write(2) directly: no stdio buffer may hold an acknowledgement back.
            FileHandle.standardOutput.write(Data("ACK \(n)\n".utf8))
            n += 1
        }
        try await store.close()
    }
}
