import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

/// A read_committed consumer in an incremental fetch session (KIP-227 with KIP-98): a
/// partition waiting at its last stable offset is skipped while quiet, and is sent, with
/// the now-stable records, when a marker moves the LSO, also during a long poll.
@Suite struct FetchSessionStableOffsetTests {
    static func fetch(_ parts: [FetchSessionSkipTests.Part], sessionId: Int32, epoch: Int32, isolation: Int8 = 1,
                      maxWaitMs: Int32 = 0, minBytes: Int32 = 0) -> KafkaWire.FetchRequest {
        var request = FetchSessionTests.fetch(parts, sessionId: sessionId, epoch: epoch, maxWaitMs: maxWaitMs, minBytes: minBytes)
        request.isolationLevel = isolation
        return request
    }

    @Test(.timeLimit(.minutes(2))) func aMarkerMovingTheStableOffsetWakesTheSessionWithTheStableRecords() async throws {
        try await withServer { server in
            server.broker.setTransactionVerifier(AlwaysInTransaction())
            let client = try await server.client()
            try await client.createTopic("rc", partitions: 2)
            try await client.produce(topic: "rc", partition: 0, records: sampleRecords(3))                          // 0...2
            let produced = try await client.send(TransactionFetchTests.transactionalProduce(["t1", "t2"], pid: 100, seq: 0, topic: "rc"),
                                                 version: 9)
            #expect(produced.responses[0].partitionResponses[0].baseOffset == 3)                                   // 3...4, open

            let opened = try await client.send(Self.fetch([("rc", .zero, 0, 0), ("rc", .zero, 1, 0)], sessionId: 0, epoch: 0),
                                               version: 12)
            let id = opened.sessionId
            #expect(id > 0)
            let first = try #require(opened.responses.first?.partitions.first)
            #expect(try TransactionFetchTests.offsets(first) == [0], "read_committed stops below the LSO 3")
            #expect(first.lastStableOffset == 3 && first.highWatermark == 5)

            // The consumer moves to the LSO: nothing stable to read, nothing changed to send.
            let atStable = try await client.send(Self.fetch([("rc", .zero, 0, 3)], sessionId: id, epoch: 1), version: 12)
            #expect(atStable.errorCode == 0 && atStable.responses.isEmpty)
            let quiet = try await client.send(Self.fetch([], sessionId: id, epoch: 2, maxWaitMs: 100, minBytes: 1), version: 12)
            #expect(quiet.errorCode == 0 && quiet.responses.isEmpty)
            // read_uncommitted on the same session is not answered from the read_committed mark.
            let uncommitted = try await client.send(Self.fetch([], sessionId: id, epoch: 3, isolation: 0), version: 12)
            #expect(try FetchSessionTests.summary(uncommitted) == ["rc-0:2"])
            #expect(try await client.send(Self.fetch([], sessionId: id, epoch: 4), version: 12).responses.isEmpty)

            // A long poll of an hour, parked on the session's marks, ends when the commit
            // marker makes offsets 3...4 stable.
            async let waiting = client.send(Self.fetch([], sessionId: id, epoch: 5, maxWaitMs: 3_600_000, minBytes: 1), version: 12)
            try await Task.sleep(for: .milliseconds(200))
            let commit = TransactionMarker(producerId: 100, producerEpoch: 0, commit: true, coordinatorEpoch: 0)
            #expect(await server.broker.writeMarkers(commit, partitions: [TopicPartition("rc", 0)]).isEmpty)       // 5
            let woken = try await waiting
            #expect(woken.errorCode == 0)
            #expect(woken.responses.flatMap(\.partitions).map(\.partitionIndex) == [0], "only the partition whose LSO moved")
            let stable = try #require(woken.responses.first?.partitions.first)
            #expect(try TransactionFetchTests.offsets(stable) == [3, 5], "the committed records and their marker")
            #expect(stable.lastStableOffset == 6 && stable.highWatermark == 6)
            #expect(stable.abortedTransactions?.isEmpty == true)

            let after = try await client.send(Self.fetch([("rc", .zero, 0, 6)], sessionId: id, epoch: 6), version: 12)
            #expect(after.errorCode == 0 && after.responses.isEmpty)
            await client.close()
        }
    }
}
