import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

/// An incremental fetch of a session skips its unchanged partitions without reading them
/// (the kernel answers them from the marks of their last reads); these tests prove that
/// every kind of change still shows in the next incremental response, over real sockets.
@Suite struct FetchSessionSkipTests {
    typealias Part = (topic: String, id: UUID, partition: Int32, offset: Int64)

    /// Partition index → (records, high watermark, log start, error) of a response.
    static func answers(_ response: FetchResponse) throws -> [Int32: (records: Int, hw: Int64, logStart: Int64, error: Int16)] {
        var found: [Int32: (records: Int, hw: Int64, logStart: Int64, error: Int16)] = [:]
        for partition in response.responses.flatMap(\.partitions) {
            let count = try RecordBatch.parse(partition.records?.load() ?? ByteBuffer()).reduce(0) { $0 + Int($1.recordCount) }
            found[partition.partitionIndex] = (count, partition.highWatermark, partition.logStartOffset, partition.errorCode)
        }
        return found
    }

    @Test func dataALogStartMoveAndAHighWatermarkWithoutRecordsEachShowOnce() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("skip", partitions: 6)
            try await client.produce(topic: "skip", partition: 0, records: sampleRecords(4))
            var offsets: [Int64] = [4, 0, 0, 0, 0, 0]
            let all: [Part] = (0..<Int32(6)).map { ("skip", .zero, $0, offsets[Int($0)]) }
            let full = try await client.send(FetchSessionTests.fetch(all, sessionId: 0, epoch: 0), version: 12)
            let id = full.sessionId
            #expect(full.errorCode == 0 && id > 0)
            var epoch: Int32 = 1
            func next(_ named: [Part] = [], maxBytes: Int32 = 50 << 20) async throws -> FetchResponse {
                var request = FetchSessionTests.fetch(named, sessionId: id, epoch: epoch)
                request.maxBytes = maxBytes
                epoch += 1
                let response = try await client.send(request, version: 12)
                #expect(response.errorCode == 0 && response.sessionId == id)
                return response
            }
            // Quiet: twice nothing, so the second is answered wholly from marks.
            #expect(try Self.answers(try await next()).isEmpty)
            #expect(try Self.answers(try await next()).isEmpty)

            // New records on p2.
            try await client.produce(topic: "skip", partition: 2, records: sampleRecords(3))
            let data = try Self.answers(try await next())
            #expect(data.keys.sorted() == [2])
            #expect(data[2]?.records == 3 && data[2]?.hw == 3)
            offsets[2] = 3
            #expect(try Self.answers(try await next([("skip", .zero, 2, 3)])).isEmpty)

            // DeleteRecords on p0 moves its log start only: p0 shows, with no records.
            #expect(try await client.deleteRecords(topic: "skip", before: [0: 2]) == [0: 2])
            let logStart = try Self.answers(try await next())
            #expect(logStart.keys.sorted() == [0])
            #expect(logStart[0]?.records == 0 && logStart[0]?.logStart == 2 && logStart[0]?.hw == 4)
            #expect(try Self.answers(try await next()).isEmpty)

            // Records on p4 and p5 in a response of 1 byte at most: p4 (first in the session's
            // order) brings its batch, p5 only its new high watermark; next time p5's records.
            try await client.produce(topic: "skip", partition: 4, records: sampleRecords(2))
            try await client.produce(topic: "skip", partition: 5, records: sampleRecords(5))
            let cut = try Self.answers(try await next(maxBytes: 1))
            #expect(cut.keys.sorted() == [4, 5])
            #expect(cut[4]?.records == 2)
            #expect(cut[5]?.records == 0 && cut[5]?.hw == 5)
            let rest = try Self.answers(try await next([("skip", .zero, 4, 2)]))
            #expect(rest.keys.sorted() == [5])
            #expect(rest[5]?.records == 5)
            #expect(try Self.answers(try await next([("skip", .zero, 5, 5)])).isEmpty)
            await client.close()
        }
    }

    @Test func aPartitionThatGoesAwayShowsWithItsError() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("stay")
            try await client.createTopic("leave")
            let parts: [Part] = [("stay", .zero, 0, 0), ("leave", .zero, 0, 0)]
            let id = try await client.send(FetchSessionTests.fetch(parts, sessionId: 0, epoch: 0), version: 12).sessionId
            #expect(id > 0)
            #expect(try FetchSessionTests.summary(try await client.send(FetchSessionTests.fetch([], sessionId: id, epoch: 1), version: 12)) == [])
            try await client.deleteTopic("leave")
            let gone = try await client.send(FetchSessionTests.fetch([], sessionId: id, epoch: 2), version: 12)
            let partitions = gone.responses.flatMap { topic in topic.partitions.map { (topic.topic, $0.errorCode) } }
            #expect(partitions.count == 1)
            #expect(partitions.first?.0 == "leave")
            #expect(partitions.first?.1 == KafkaErrorCode.unknownTopicOrPartition.rawValue)
            await client.close()
        }
    }

    /// A session long-polling on many quiet partitions wakes for news on any one of them
    /// and answers that one only.
    @Test(.timeLimit(.minutes(2))) func aLongPollOverQuietPartitionsWakesForOne() async throws {
        try await withServer { server in
            let consumer = try await server.client(id: "consumer")
            let producer = try await server.client(id: "producer")
            try await producer.createTopic("many", partitions: 200)
            let all: [Part] = (0..<Int32(200)).map { ("many", .zero, $0, 0) }
            let id = try await consumer.send(FetchSessionTests.fetch(all, sessionId: 0, epoch: 0), version: 12).sessionId
            #expect(id > 0)
            #expect(try FetchSessionTests.summary(try await consumer.send(FetchSessionTests.fetch([], sessionId: id, epoch: 1), version: 12)) == [])
            async let waiting = consumer.send(FetchSessionTests.fetch([], sessionId: id, epoch: 2, maxWaitMs: 60_000, minBytes: 1),
                                              version: 12)
            try await Task.sleep(for: .milliseconds(200))
            try await producer.produce(topic: "many", partition: 137, records: sampleRecords(2))
            #expect(try FetchSessionTests.summary(try await waiting) == ["many-137:2"])
            await consumer.close()
            await producer.close()
        }
    }
}
