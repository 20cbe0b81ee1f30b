import Foundation
import NIOCore
import SluiceKernel
import SluiceTestSupport
import Testing
@testable import SluiceBeats

/// Clients that break the protocol or the limits: each gets its connection closed with a
/// log line saying why, acknowledged events stay, and the next client is served.
@Suite(.timeLimit(.minutes(2))) struct BeatsMisbehavingClientTests {
    let encoder = LumberjackEncoder()

    /// Sends one good window and checks it is acked and stored: the server still serves.
    /// Connect, send and ack happen on one thread, so a loaded test machine cannot leave
    /// the fresh connection silent long enough for an idle timeout.
    func expectStillServing(_ server: RunningInput, storedBefore: Int) async throws {
        let port = server.port
        let window = buffer { encoder.window(events: [sampleEvent(1), sampleEvent(2)], into: &$0) }
        do {
            _ = try await onThread {
                let client = try LumberjackSocketClient(port: port)
                try client.send(window)
                return try client.awaitAck(2)
            }
        } catch {
            Issue.record("\(error); server log: \(server.logs.all.map(\.message))")
            return
        }
        #expect(try await server.records().count == storedBefore + 2)
    }

    /// A client that sent one good window (acked), then `bad`: it must be closed.
    func closesAfterAckedWindow(_ bad: ByteBuffer, _ configure: (inout BeatsInputFactory.Configuration) -> Void = { _ in },
                                logs expected: String) async throws {
        try await withBeatsInput(configure) { server in
            let client = try await server.connect()
            try await client.send(buffer { encoder.window(events: (0..<5).map { sampleEvent($0) }, into: &$0) })
            try await client.awaitAck(5)
            try await client.send(bad)
            #expect(try await client.waitForServerClose())
            #expect(try await server.records().count == 5, "the acknowledged window stays")
            #expect(server.logs.contains(expected, atLeast: .error), "\(server.logs.all.map(\.message))")
            try await expectStillServing(server, storedBefore: 5)
        }
    }

    @Test func aZipBombIsStoppedAtTheLimit() async throws {
        let bomb = buffer { out in
            encoder.window(1, into: &out)
            encoder.compressed(ByteBuffer(repeating: 0x20, count: 32 << 20), level: 9, into: &out)
        }
        #expect(bomb.readableBytes < 100_000)
        try await closesAfterAckedWindow(bomb, { $0.maxDecompressedBytes = 4 << 20 }, logs: "possible zip bomb")
    }

    @Test func anEventOverTheLimitIsRefused() async throws {
        let big = buffer { out in
            encoder.window(1, into: &out)
            encoder.json(sequence: 1, ByteBuffer(string: #"{"message":"\#(String(repeating: "x", count: 5000))"}"#), into: &out)
        }
        try await closesAfterAckedWindow(big, { $0.maxEventBytes = 4096 }, logs: "over maxEventBytes 4096")
    }

    @Test func randomBytesAreRefused() async throws {
        var generator = SeededGenerator.forTest()
        var random = ByteBuffer()
        random.writeBytes(generator.bytes(65_536))
        random.setInteger(UInt8(0x00), at: 0)  // never a valid version byte
        try await closesAfterAckedWindow(random, logs: "is neither '1' nor '2'")
    }

    @Test func aNonJSONEventIsRefused() async throws {
        let bad = buffer { out in
            encoder.window(1, into: &out)
            encoder.json(sequence: 1, ByteBuffer(string: "plain text, not JSON"), into: &out)
        }
        try await closesAfterAckedWindow(bad, logs: "is not a JSON object")
    }

    @Test func dataWithoutAWindowIsRefused() async throws {
        try await closesAfterAckedWindow(buffer { encoder.json(sequence: 6, sampleEvent(6), into: &$0) },
                                         logs: "arrived before any window frame")
    }

    @Test func aWindowOverTheLimitIsRefused() async throws {
        try await closesAfterAckedWindow(buffer { encoder.window(1000, into: &$0) }, { $0.maxWindowSize = 999 },
                                         logs: "exceeds maxWindowSize 999")
    }

    @Test func aTruncatedFrameIsDroppedUnacknowledgedWhenTheClientLeaves() async throws {
        try await withBeatsInput { server in
            let client = try await server.connect()
            try await client.send(buffer { encoder.window(events: [sampleEvent(1)], into: &$0) })
            try await client.awaitAck(1)
            let window = buffer { encoder.window(events: [sampleEvent(2), sampleEvent(3)], compressionLevel: nil, into: &$0) }
            try await client.send(window.getSlice(at: 0, length: window.readableBytes - 7)!)
            client.shutdownWrite()
            #expect(try await client.waitForServerClose())
            #expect(try await server.records().count == 1)
            try await expectStillServing(server, storedBefore: 1)
        }
    }

    @Test func aClientSilentMidFrameIsClosedAfterTheIdleTimeout() async throws {
        try await withBeatsInput({ $0.idleTimeoutMs = 3000 }) { server in
            let client = try await server.connect()
            let window = buffer { encoder.window(events: [sampleEvent(2)], into: &$0) }
            try await client.send(window.getSlice(at: 0, length: window.readableBytes - 3)!)
            #expect(try await client.waitForServerClose())
            #expect(server.logs.contains("closing idle beats connection: nothing received for 3000 ms (idleTimeoutMs)"))
            try await expectStillServing(server, storedBefore: 0)
        }
    }

    @Test func manyBadClientsInParallelDoNotDisturbAGoodOne() async throws {
        try await withBeatsInput { server in
            let port = server.port
            var generator = SeededGenerator.forTest()
            let junks = (0..<8).map { _ in generator.bytes(4096) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await BeatsBenchmark.onThread {
                            let client = try LumberjackSocketClient(port: port)
                            var junk = ByteBuffer()
                            junk.writeBytes([Lumberjack.version2] + junks[index])
                            if index % 2 == 0 { junk.setInteger(Lumberjack.FrameType.compressed, at: 1) }
                            try? client.send(junk)
                            _ = try? client.waitForServerClose()
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await expectStillServing(server, storedBefore: 0)
        }
    }
}
