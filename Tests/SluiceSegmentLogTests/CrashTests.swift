import Foundation
import NIOCore
import SluiceKernel
import SluiceTestSupport
import Testing
@testable import SluiceSegmentLog

/// A child process appends with `flush: always` to two partitions at once and prints
/// each acknowledged batch; the parent kills it with SIGKILL at a random moment, over
/// and over on the same directory, then checks that every acknowledged batch is there
/// with identical bytes.
@Suite("crash safety with flush: always")
struct CrashTests {
    static let directoryVariable = "SLUICE_SEGMENT_LOG_CRASH_DIR"
    static let roundVariable = "SLUICE_SEGMENT_LOG_CRASH_ROUND"
    static let partitions = [TopicPartition("crash", 0), TopicPartition("crash", 1)]
    static let config = PartitionLogConfig(segmentBytes: 64 * 1024)

    /// The batch a child appends as number `sequence` of `round` to `partition`;
    /// sizes vary from one record to about 12 KiB so kills land inside large writes too.
    static func batch(round: Int, partition: Int32, sequence: Int) -> RecordBatch {
        let count = 1 + sequence % 5
        let valueSize = (sequence * 997 + round * 131) % 2500
        return SluiceSegmentLogTests.batch(count, tag: "r\(round)p\(partition)s\(sequence)", valueSize: valueSize)
    }

    @Test(.timeLimit(.minutes(5)))
    func everyAcknowledgedAppendSurvivesSIGKILL() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var acknowledged: [(round: Int, partition: Int32, sequence: Int, offset: Int64)] = []
        var generator = SeededGenerator.forTest()  // when to kill; the kill's timing is still the OS's
        let rounds = 24
        for round in 0..<rounds {
            let child = try ChildProcess(test: "childAppendsUntilKilled",
                                         environment: [Self.directoryVariable: dir.path, Self.roundVariable: "\(round)"])
            if round % 6 == 5 {
                // Sometimes kill while the child is still opening (recovering) the log.
                let opening = try await child.wait(upTo: 60) { !$0.lines(startingWith: "OPENING").isEmpty }
                #expect(opening, "round \(round): the child never started opening the storage")
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...15, using: &generator)))
            } else {
                let acked = try await child.wait(upTo: 60) { !$0.lines(startingWith: "ACK").isEmpty }
                #expect(acked, "round \(round): the child acknowledged nothing within 60 s: \(child.text.suffix(500))")
                if round == 0 {
                    // Another process holds the directory: opening it here must fail and name it.
                    let path = dir.url.standardizedFileURL.path
                    #expect(throws: StorageError.locked(directory: path, holderPID: child.pid)) { _ = try openStorage(dir) }
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...250, using: &generator)))
            }
            try await child.kill()
            for line in child.lines(startingWith: "ACK ") {
                let fields = line.split(separator: " ")
                acknowledged.append((Int(fields[1])!, Int32(fields[2])!, Int(fields[3])!, Int64(fields[4])!))
            }
        }
        print("crash test: \(rounds) rounds, \(acknowledged.count) acknowledged appends")
        #expect(acknowledged.count > rounds * 4, "the rounds acknowledged too little to mean anything: \(acknowledged.count)")

        let storage = try openStorage(dir, testConfiguration(segmentBytes: 64 * 1024, flush: .always))
        for (p, tp) in Self.partitions.enumerated() {
            let log = try await storage.open(tp, config: Self.config)
            let all = try await readAll(log)
            var next: Int64 = 0
            for stored in all {
                #expect(stored.baseOffset == next, "\(tp): offsets run on without gaps")
                #expect((try? stored.verifyCRC()) != nil)
                next = stored.lastOffset + 1
            }
            let byOffset = Dictionary(all.map { ($0.baseOffset, Array(buffer: $0.buffer)) }, uniquingKeysWith: { a, _ in a })
            let mine = acknowledged.filter { $0.partition == Int32(p) }
            #expect(Set(mine.map(\.offset)).count == mine.count, "\(tp): no offset acknowledged twice")
            for ack in mine {
                let expected = storedBytes(Self.batch(round: ack.round, partition: ack.partition, sequence: ack.sequence), baseOffset: ack.offset)
                #expect(byOffset[ack.offset] == expected, "\(tp): acknowledged batch r\(ack.round) s\(ack.sequence) at \(ack.offset)")
            }
        }
        try await storage.close()
    }

    /// The child side: does nothing unless started by the test above.
    @Test func childAppendsUntilKilled() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let path = environment[Self.directoryVariable], let round = environment[Self.roundVariable].flatMap(Int.init) else { return }
        let say: @Sendable (String) -> Void = { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        say("OPENING")
        let storage = try SegmentLogStorage(configuration: testConfiguration(segmentBytes: 64 * 1024, flush: .always),
                                            directory: URL(fileURLWithPath: path), logger: quietLogger)
        var logs: [any PartitionLog] = []
        for tp in Self.partitions { logs.append(try await storage.open(tp, config: Self.config)) }
        say("READY")
        let deadline = Date() + 30   // bounded even if the parent never kills
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (p, log) in logs.enumerated() {
                group.addTask {
                    var sequence = 0
                    while Date() < deadline {
                        let batch = Self.batch(round: round, partition: Int32(p), sequence: sequence)
                        let info = try await log.append([batch])
                        say("ACK \(round) \(p) \(sequence) \(info.firstOffset)")
                        sequence += 1
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
