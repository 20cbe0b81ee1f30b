import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

/// An incremental fetch reads only the partitions whose marks moved, and its long poll
/// parks once on the broker's change generation: these tests prove that a topic deleted
/// and recreated under a session, and a change without records during a long poll, still
/// show, and that an idle long poll ends empty at MaxWaitMs with the session intact.
@Suite struct FetchSessionChangeTests {
    typealias Part = FetchSessionSkipTests.Part

    /// (topic, partition, error) of each partition in the response.
    static func errors(_ response: FetchResponse) -> [String] {
        response.responses.flatMap { topic in topic.partitions.map { "\(topic.topic)-\($0.partitionIndex):\($0.errorCode)" } }
    }

    @Test func aTopicDeletedAndRecreatedByNameShowsItsErrorThenItsNewData() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("stay")
            try await client.createTopic("again")
            try await client.produce(topic: "again", partition: 0, records: sampleRecords(3))
            let parts: [Part] = [("stay", .zero, 0, 0), ("again", .zero, 0, 3)]
            let id = try await client.send(FetchSessionTests.fetch(parts, sessionId: 0, epoch: 0), version: 12).sessionId
            #expect(id > 0)
            #expect(try FetchSessionTests.summary(try await client.send(FetchSessionTests.fetch([], sessionId: id, epoch: 1), version: 12)) == [])

            try await client.deleteTopic("again")
            let gone = try await client.send(FetchSessionTests.fetch([], sessionId: id, epoch: 2), version: 12)
            #expect(gone.errorCode == 0)
            #expect(Self.errors(gone) == ["again-0:\(KafkaErrorCode.unknownTopicOrPartition.rawValue)"])

            // Recreated empty: the session's offset 3 is past the new log's end.
            try await client.createTopic("again")
            let back = try await client.send(FetchSessionTests.fetch([], sessionId: id, epoch: 3), version: 12)
            #expect(Self.errors(back) == ["again-0:\(KafkaErrorCode.offsetOutOfRange.rawValue)"])
            // The consumer resets to 0 and reads the new topic's records.
            try await client.produce(topic: "again", partition: 0, records: sampleRecords(2))
            let data = try await client.send(FetchSessionTests.fetch([("again", .zero, 0, 0)], sessionId: id, epoch: 4), version: 12)
            #expect(try FetchSessionTests.summary(data) == ["again-0:2"])
            #expect(try FetchSessionTests.summary(try await client.send(
                FetchSessionTests.fetch([("again", .zero, 0, 2)], sessionId: id, epoch: 5), version: 12)) == [])
            await client.close()
        }
    }

    @Test func aTopicRecreatedUnderASessionByIdIsUnknownByItsOldId() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("byid")
            let oldId = try #require(await server.broker.topic(named: "byid")?.id)
            let id = try await client.send(FetchSessionTests.fetch([("", oldId, 0, 0)], sessionId: 0, epoch: 0), version: 16).sessionId
            #expect(id > 0)
            #expect(try await client.send(FetchSessionTests.fetch([], sessionId: id, epoch: 1), version: 16).responses.isEmpty)
            try await client.deleteTopic("byid")
            try await client.createTopic("byid")
            let newId = try #require(await server.broker.topic(named: "byid")?.id)
            #expect(newId != oldId)
            let stale = try await client.send(FetchSessionTests.fetch([], sessionId: id, epoch: 2), version: 16)
            #expect(stale.errorCode == 0)
            #expect(stale.responses.map(\.topicId) == [oldId])
            #expect(stale.responses.flatMap(\.partitions).map(\.errorCode) == [KafkaErrorCode.unknownTopicId.rawValue])
            await client.close()
        }
    }

    /// DeleteRecords during a long poll moves p0's log start but brings no records: the
    /// poll goes on to MaxWaitMs (MinBytes is not met), then carries p0 with its new log
    /// start, once.
    @Test(.timeLimit(.minutes(2))) func aLogStartMoveDuringALongPollIsCarriedWhenItEnds() async throws {
        try await withServer { server in
            let consumer = try await server.client(id: "consumer")
            let admin = try await server.client(id: "admin")
            try await admin.createTopic("poll", partitions: 3)
            try await admin.produce(topic: "poll", partition: 0, records: sampleRecords(4))
            let parts: [Part] = [("poll", .zero, 0, 4), ("poll", .zero, 1, 0), ("poll", .zero, 2, 0)]
            let id = try await consumer.send(FetchSessionTests.fetch(parts, sessionId: 0, epoch: 0), version: 12).sessionId
            #expect(id > 0)
            async let waiting = consumer.send(FetchSessionTests.fetch([], sessionId: id, epoch: 1, maxWaitMs: 1_500, minBytes: 1),
                                              version: 12)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await admin.deleteRecords(topic: "poll", before: [0: 2]) == [0: 2])
            let answered = try FetchSessionSkipTests.answers(try await waiting)
            #expect(answered.keys.sorted() == [0])
            #expect(answered[0]?.records == 0 && answered[0]?.logStart == 2 && answered[0]?.hw == 4)
            #expect(try FetchSessionSkipTests.answers(
                try await consumer.send(FetchSessionTests.fetch([], sessionId: id, epoch: 2), version: 12)).isEmpty)
            await consumer.close()
            await admin.close()
        }
    }

    @Test(.timeLimit(.minutes(2))) func anIdleLongPollEndsEmptyAndTheSessionGoesOn() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("idle", partitions: 50)
            let parts: [Part] = (0..<Int32(50)).map { ("idle", .zero, $0, 0) }
            let id = try await client.send(FetchSessionTests.fetch(parts, sessionId: 0, epoch: 0), version: 12).sessionId
            #expect(id > 0)
            let idle = try await client.send(FetchSessionTests.fetch([], sessionId: id, epoch: 1, maxWaitMs: 300, minBytes: 1), version: 12)
            #expect(idle.errorCode == 0 && idle.sessionId == id)
            #expect(idle.responses.isEmpty)
            try await client.produce(topic: "idle", partition: 49, records: sampleRecords(3))
            let news = try await client.send(FetchSessionTests.fetch([], sessionId: id, epoch: 2, maxWaitMs: 300, minBytes: 1), version: 12)
            #expect(try FetchSessionTests.summary(news) == ["idle-49:3"])
            await client.close()
        }
    }
}
