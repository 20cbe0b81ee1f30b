import Foundation
import SluiceKernel
import SluiceSQLite
import SluiceTestSupport
import Testing

/// An offset commit that returned survives the process being SIGKILLed right after.
@Suite struct DurabilityTests {
    static let rounds = 24

    @Test(.timeLimit(.minutes(5)))
    func acknowledgedCommitsSurviveSIGKILL() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            var total = 0
            var generator = SeededGenerator.forTest()  // when to kill
            for round in 0..<Self.rounds {
                let group = "round-\(round)"
                // Kill at a different point each round, including after the very first.
                let killAfter = round == 0 ? 1 : Int.random(in: 1...60, using: &generator)
                let run = try await ChildRun.commitAndKill(database: url, group: group, afterAcks: killAfter)
                #expect(run.killedBySIGKILL, "round \(round): the child was not killed by SIGKILL: \(run)")
                #expect(run.acknowledged.count >= killAfter, "round \(round): child stopped early: \(run)")

                let store = try SQLiteMetadataStore(url: url)
                let stored = try await store.committedOffsets(group: group)
                for n in run.acknowledged {
                    for (tp, offset) in CrashChild.offsets(for: n) {
                        #expect(stored[tp] != nil, "round \(round): acknowledged commit \(n) lost \(tp)")
                        #expect(stored[tp]?.offset == offset.offset && stored[tp]?.leaderEpoch == offset.leaderEpoch
                                && stored[tp]?.metadata == offset.metadata)
                    }
                }
                // At most the one commit in flight at the kill may be there unacknowledged,
                // and then whole: both partitions or neither.
                let acknowledgedRows = run.acknowledged.count * 2
                #expect(stored.count == acknowledgedRows || stored.count == acknowledgedRows + 2,
                        "round \(round): \(stored.count) rows for \(run.acknowledged.count) acknowledged commits")
                // Earlier rounds' groups are still intact after this crash and recovery.
                #expect(try await store.groups().count == round + 1)
                try await store.close()
                total += run.acknowledged.count
            }
            #expect(total >= Self.rounds)
        }
    }
}

/// One child process run: it commits, we kill it, we report what it acknowledged.
struct ChildRun: Sendable, CustomStringConvertible {
    /// Commit numbers whose `ACK` line was read before the child died.
    var acknowledged: [Int]
    var killedBySIGKILL: Bool
    var description: String { "\(acknowledged.count) acks, killed by SIGKILL: \(killedBySIGKILL)" }

    /// How long one child may take to start and reach `afterAcks` acknowledgements.
    static let timeout: TimeInterval = 30

    /// Re-runs this test binary as ``CrashChild``, reads its `ACK n` lines, and sends
    /// SIGKILL as soon as `afterAcks` have been read (or when ``timeout`` passes).
    static func commitAndKill(database: URL, group: String, afterAcks: Int) async throws -> ChildRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["--testing-library", "swift-testing", "--filter", CrashChild.filter]
        var environment = ProcessInfo.processInfo.environment
        environment[CrashChild.variable] = "\(database.path)|\(group)"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        // Bounded wait: whatever the child does, it is killed by the deadline, which
        // closes the pipe and ends the read loop below.
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { kill(pid, SIGKILL) }

        let acknowledged = await withCheckedContinuation { (continuation: CheckedContinuation<[Int], Never>) in
            Thread.detachNewThread {
                continuation.resume(returning: readAcks(from: output.fileHandleForReading, pid: pid, killAfter: afterAcks))
            }
        }
        process.waitUntilExit()
        return ChildRun(acknowledged: acknowledged,
                        killedBySIGKILL: process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
    }

    /// Reads `ACK n` lines until EOF, killing the child right after the `killAfter`th.
    private static func readAcks(from handle: FileHandle, pid: Int32, killAfter: Int) -> [Int] {
        var acknowledged: [Int] = []
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                if line.hasPrefix("ACK "), let n = Int(line.dropFirst(4)) {
                    acknowledged.append(n)
                    if acknowledged.count == killAfter { kill(pid, SIGKILL) }
                }
            }
        }
        return acknowledged
    }
}
