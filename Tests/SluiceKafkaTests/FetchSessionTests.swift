import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

/// Incremental fetch sessions (KIP-227) over real sockets: raw Fetch requests through the
/// repo's client, answered by a real server.
@Suite struct FetchSessionTests {
    /// A fetch of partitions by name (v12) or by topic id (v13+), with the session fields given.
    static func fetch(_ parts: [(topic: String, id: UUID, partition: Int32, offset: Int64)], sessionId: Int32, epoch: Int32,
                      forgotten: [(topic: String, id: UUID, partition: Int32)] = [], maxWaitMs: Int32 = 0,
                      minBytes: Int32 = 0, replicaId: Int32 = -1) -> KafkaWire.FetchRequest {
        var request = KafkaWire.FetchRequest()
        request.sessionId = sessionId
        request.sessionEpoch = epoch
        request.maxWaitMs = maxWaitMs
        request.minBytes = minBytes
        request.replicaId = replicaId
        request.replicaState.replicaId = replicaId
        for part in parts {
            var partition = KafkaWire.FetchRequest.Partition()
            partition.partition = part.partition
            partition.fetchOffset = part.offset
            partition.partitionMaxBytes = 1 << 20
            var topic = KafkaWire.FetchRequest.Topic()
            topic.topic = part.topic
            topic.topicId = part.id
            topic.partitions = [partition]
            request.topics.append(topic)
        }
        for part in forgotten {
            var topic = KafkaWire.FetchRequest.ForgottenTopic()
            topic.topic = part.topic
            topic.topicId = part.id
            topic.partitions = [part.partition]
            request.forgottenTopicsData.append(topic)
        }
        return request
    }

    /// "topic-partition:records" of each partition in the response, in order.
    static func summary(_ response: FetchResponse) throws -> [String] {
        try response.responses.flatMap { topic in
            try topic.partitions.map { partition in
                let count = try RecordBatch.parse(partition.records?.load() ?? ByteBuffer()).reduce(0) { $0 + Int($1.recordCount) }
                return "\(topic.topic)-\(partition.partitionIndex):\(count)"
            }
        }
    }

    @Test func incrementalFetchesCarryOnlyPartitionsWithNews() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("s", partitions: 3)
            try await client.produce(topic: "s", partition: 0, records: sampleRecords(2))
            let all = (0..<Int32(3)).map { (topic: "s", id: UUID.zero, partition: $0, offset: Int64(0)) }
            let full = try await client.send(Self.fetch(all, sessionId: 0, epoch: 0), version: 12)
            #expect(full.errorCode == 0)
            #expect(full.sessionId > 0)
            #expect(try Self.summary(full) == ["s-0:2", "s-1:0", "s-2:0"])
            let id = full.sessionId
            // p0 read up to 2; nothing new anywhere: an empty response.
            let quiet = try await client.send(Self.fetch([("s", .zero, 0, 2)], sessionId: id, epoch: 1), version: 12)
            #expect(quiet.errorCode == 0 && quiet.sessionId == id)
            #expect(try Self.summary(quiet) == [])
            try await client.produce(topic: "s", partition: 1, records: sampleRecords(3))
            let news = try await client.send(Self.fetch([], sessionId: id, epoch: 2), version: 12)
            #expect(try Self.summary(news) == ["s-1:3"])
            // p1 now read from 3: nothing new, the high watermark unchanged.
            let again = try await client.send(Self.fetch([("s", .zero, 1, 3)], sessionId: id, epoch: 3), version: 12)
            #expect(try Self.summary(again) == [])
            await client.close()
        }
    }

    @Test func partitionsAreAddedAndForgotten() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("a", partitions: 2)
            try await client.createTopic("b")
            let full = try await client.send(Self.fetch([("a", .zero, 0, 0), ("a", .zero, 1, 0)], sessionId: 0, epoch: 0), version: 12)
            let id = full.sessionId
            #expect(id > 0)
            #expect(try Self.summary(full) == ["a-0:0", "a-1:0"])
            // Add b-0 (sent: its offsets are new to the session), forget a-1.
            let changed = try await client.send(Self.fetch([("b", .zero, 0, 0)], sessionId: id, epoch: 1,
                                                           forgotten: [("a", .zero, 1)]), version: 12)
            #expect(try Self.summary(changed) == ["b-0:0"])
            try await client.produce(topic: "a", partition: 1, records: sampleRecords(1))
            try await client.produce(topic: "b", partition: 0, records: sampleRecords(4))
            let news = try await client.send(Self.fetch([], sessionId: id, epoch: 2), version: 12)
            #expect(try Self.summary(news) == ["b-0:4"])
            // Forgetting every partition closes the session.
            let emptied = try await client.send(Self.fetch([], sessionId: id, epoch: 3,
                                                           forgotten: [("a", .zero, 0), ("b", .zero, 0)]), version: 12)
            #expect(emptied.sessionId == 0 && emptied.errorCode == 0)
            #expect(await server.fetchSessions.contains(id) == false)
            await client.close()
        }
    }

    @Test func sessionsByTopicIdFromV13() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("ids", partitions: 2)
            let topicId = try #require(await server.broker.topic(named: "ids")?.id)
            let full = try await client.send(Self.fetch([("", topicId, 0, 0), ("", topicId, 1, 0)], sessionId: 0, epoch: 0), version: 16)
            let id = full.sessionId
            #expect(id > 0)
            #expect(full.responses.map(\.topicId) == [topicId])
            try await client.produce(topic: "ids", partition: 1, records: sampleRecords(2))
            let news = try await client.send(Self.fetch([], sessionId: id, epoch: 1, forgotten: [("", topicId, 0)]), version: 16)
            #expect(news.responses.map(\.topicId) == [topicId])
            #expect(try Self.summary(news) == ["-1:2"])
            // A v12 (names) request in a v13 (ids) session.
            let mixed = try await client.send(Self.fetch([], sessionId: id, epoch: 2), version: 12)
            #expect(mixed.errorCode == KafkaErrorCode.fetchSessionTopicIdError.rawValue)
            #expect(mixed.responses.isEmpty)
            await client.close()
        }
    }

    @Test func sessionErrorsAndClosing() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("e")
            try await client.produce(topic: "e", partition: 0, records: sampleRecords(1))
            let full = try await client.send(Self.fetch([("e", .zero, 0, 0)], sessionId: 0, epoch: 0), version: 12)
            let id = full.sessionId
            #expect(id > 0)
            let wrongEpoch = try await client.send(Self.fetch([], sessionId: id, epoch: 5), version: 12)
            #expect(wrongEpoch.errorCode == KafkaErrorCode.invalidFetchSessionEpoch.rawValue)
            #expect(wrongEpoch.sessionId == 0 && wrongEpoch.responses.isEmpty)
            let unknown = try await client.send(Self.fetch([], sessionId: id &+ 1, epoch: 1), version: 12)
            #expect(unknown.errorCode == KafkaErrorCode.fetchSessionIdNotFound.rawValue)
            // The right epoch still works after errors.
            #expect(try await client.send(Self.fetch([], sessionId: id, epoch: 1), version: 12).errorCode == 0)
            // Epoch -1 closes the session: a sessionless full fetch.
            let closing = try await client.send(Self.fetch([("e", .zero, 0, 0)], sessionId: id, epoch: -1), version: 12)
            #expect(closing.sessionId == 0 && closing.errorCode == 0)
            #expect(try Self.summary(closing) == ["e-0:1"])
            let after = try await client.send(Self.fetch([], sessionId: id, epoch: 2), version: 12)
            #expect(after.errorCode == KafkaErrorCode.fetchSessionIdNotFound.rawValue)
            // Sessionless fetches (id 0, epoch -1) open nothing.
            let sessionless = try await client.send(Self.fetch([("e", .zero, 0, 0)], sessionId: 0, epoch: -1), version: 12)
            #expect(sessionless.sessionId == 0)
            #expect(try Self.summary(sessionless) == ["e-0:1"])
            #expect(await server.fetchSessions.count == 0)
            // A full fetch naming a session closes it and opens another.
            let first = try await client.send(Self.fetch([("e", .zero, 0, 0)], sessionId: 0, epoch: 0), version: 12).sessionId
            let second = try await client.send(Self.fetch([("e", .zero, 0, 0)], sessionId: first, epoch: 0), version: 12).sessionId
            #expect(first > 0 && second > 0 && first != second)
            #expect(await server.fetchSessions.contains(first) == false)
            #expect(await server.fetchSessions.count == 1)
            await client.close()
        }
    }

    @Test func longPollOfASessionWakesOnAnyOfItsPartitions() async throws {
        try await withServer { server in
            let consumer = try await server.client(id: "consumer")
            let producer = try await server.client(id: "producer")
            try await producer.createTopic("wake", partitions: 4)
            let all = (0..<Int32(4)).map { (topic: "wake", id: UUID.zero, partition: $0, offset: Int64(0)) }
            let id = try await consumer.send(Self.fetch(all, sessionId: 0, epoch: 0), version: 12).sessionId
            #expect(id > 0)
            // The incremental request names no partition; the wait covers the session's four.
            async let waiting = consumer.send(Self.fetch([], sessionId: id, epoch: 1, maxWaitMs: 60_000, minBytes: 1), version: 12)
            try await Task.sleep(for: .milliseconds(200))
            try await producer.produce(topic: "wake", partition: 3, records: sampleRecords(2))
            let start = ContinuousClock.now
            let woke = try await waiting
            #expect(try Self.summary(woke) == ["wake-3:2"])
            #expect(ContinuousClock.now - start < .seconds(30), "the session's fetch missed the append and waited out max.wait")
            await consumer.close()
            await producer.close()
        }
    }

    @Test func aFetchWhoseSessionMovedOnWhileItWaitedGetsAnEpochError() async throws {
        try await withServer { server in
            let first = try await server.client(id: "first")
            let second = try await server.client(id: "second")
            try await first.createTopic("dup")
            let id = try await first.send(Self.fetch([("dup", .zero, 0, 0)], sessionId: 0, epoch: 0), version: 12).sessionId
            #expect(id > 0)
            // Epoch 1 waits (no data); meanwhile epoch 2 is served on another connection.
            async let waiting = first.send(Self.fetch([], sessionId: id, epoch: 1, maxWaitMs: 1_000, minBytes: 1), version: 12)
            try await Task.sleep(for: .milliseconds(300))
            let replay = try await second.send(Self.fetch([], sessionId: id, epoch: 1), version: 12)
            #expect(replay.errorCode == KafkaErrorCode.invalidFetchSessionEpoch.rawValue && replay.sessionId == 0)
            let next = try await second.send(Self.fetch([], sessionId: id, epoch: 2), version: 12)
            #expect(next.errorCode == 0 && next.sessionId == id)
            let stale = try await waiting
            #expect(stale.errorCode == KafkaErrorCode.invalidFetchSessionEpoch.rawValue)
            #expect(stale.sessionId == id && stale.responses.isEmpty)
            // The session goes on at epoch 3.
            #expect(try await second.send(Self.fetch([], sessionId: id, epoch: 3), version: 12).errorCode == 0)
            await first.close()
            await second.close()
        }
    }

    @Test func aFollowersSessionEvictsAConsumersAtOnce() async throws {
        var config = KafkaConfiguration()
        config.maxIncrementalFetchSessionCacheSlots = 1
        try await withServer(config: config) { server in
            let client = try await server.client()
            try await client.createTopic("f", partitions: 2)
            let parts = (0..<Int32(2)).map { (topic: "f", id: UUID.zero, partition: $0, offset: Int64(0)) }
            let consumer = try await client.send(Self.fetch(parts, sessionId: 0, epoch: 0), version: 12).sessionId
            #expect(consumer > 0)
            let follower = try await client.send(Self.fetch(Array(parts.prefix(1)), sessionId: 0, epoch: 0, replicaId: 7),
                                                 version: 12).sessionId
            #expect(follower > 0)
            #expect(await server.fetchSessions.contains(consumer) == false)
            // A young follower session is safe from another consumer.
            #expect(try await client.send(Self.fetch(parts, sessionId: 0, epoch: 0), version: 12).sessionId == 0)
            await client.close()
        }
    }

    @Test func noSlotsMeansNoSessions() async throws {
        var config = KafkaConfiguration()
        config.maxIncrementalFetchSessionCacheSlots = 0
        try await withServer(config: config) { server in
            let client = try await server.client()
            try await client.createTopic("none")
            let full = try await client.send(Self.fetch([("none", .zero, 0, 0)], sessionId: 0, epoch: 0), version: 12)
            #expect(full.sessionId == 0 && full.errorCode == 0)
            #expect(try Self.summary(full) == ["none-0:0"])
            await client.close()
        }
    }

    @Test func aFullCacheProtectsNewSessionsAndPrefersLargerOnes() async throws {
        var config = KafkaConfiguration()
        config.maxIncrementalFetchSessionCacheSlots = 1
        config.minIncrementalFetchSessionEvictionMs = 2_000
        try await withServer(config: config) { server in
            let client = try await server.client()
            try await client.createTopic("c", partitions: 3)
            let parts = (0..<Int32(3)).map { (topic: "c", id: UUID.zero, partition: $0, offset: Int64(0)) }
            let two = try await client.send(Self.fetch(Array(parts.prefix(2)), sessionId: 0, epoch: 0), version: 12).sessionId
            #expect(two > 0)
            // A larger session may not evict a session younger than the eviction time.
            #expect(try await client.send(Self.fetch(parts, sessionId: 0, epoch: 0), version: 12).sessionId == 0)
            try await Task.sleep(for: .milliseconds(2_300))
            // Used after the protection ended, it becomes evictable by larger sessions only.
            #expect(try await client.send(Self.fetch([], sessionId: two, epoch: 1), version: 12).errorCode == 0)
            #expect(try await client.send(Self.fetch(Array(parts.prefix(1)), sessionId: 0, epoch: 0), version: 12).sessionId == 0)
            #expect(try await client.send(Self.fetch(Array(parts.prefix(2)), sessionId: 0, epoch: 0), version: 12).sessionId == 0)
            let three = try await client.send(Self.fetch(parts, sessionId: 0, epoch: 0), version: 12).sessionId
            #expect(three > 0)
            let evicted = try await client.send(Self.fetch([], sessionId: two, epoch: 2), version: 12)
            #expect(evicted.errorCode == KafkaErrorCode.fetchSessionIdNotFound.rawValue)
            #expect(await server.fetchSessions.partitionCount == 3)
            await client.close()
        }
    }
}

/// The cache's eviction rules on its own, with the clock given.
@Suite struct FetchSessionCacheTests {
    static func partitions(_ count: Int) -> [(FetchSessionKey, KafkaWire.FetchRequest.Partition, FetchedPartitionState)] {
        (0..<count).map { index in
            var partition = KafkaWire.FetchRequest.Partition()
            partition.partition = Int32(index)
            return (FetchSessionKey(topicId: .zero, topic: "t", partition: Int32(index)), partition,
                    FetchedPartitionState(KafkaWire.FetchResponse.Partition()))
        }
    }

    @Test func privilegedSessionsEvictUnprivilegedOnesAtOnce() async {
        let cache = FetchSessionCache(slots: 1, evictionMs: 120_000)
        let consumer = await cache.create(privileged: false, usesTopicIds: false, partitions: Self.partitions(5), now: 0)
        #expect(consumer > 0)
        // A consumer session with fewer partitions cannot, even later; a follower's can at once.
        #expect(await cache.create(privileged: false, usesTopicIds: false, partitions: Self.partitions(6), now: 10) == 0)
        let follower = await cache.create(privileged: true, usesTopicIds: false, partitions: Self.partitions(1), now: 20)
        #expect(follower > 0)
        #expect(await cache.contains(consumer) == false)
        // A young privileged session is safe even from a larger privileged one.
        #expect(await cache.create(privileged: true, usesTopicIds: false, partitions: Self.partitions(9), now: 30) == 0)
    }

    @Test func staleSessionsGoFirstWhateverTheirSize() async {
        let cache = FetchSessionCache(slots: 2, evictionMs: 1_000)
        let big = await cache.create(privileged: true, usesTopicIds: false, partitions: Self.partitions(50), now: 0)
        let small = await cache.create(privileged: false, usesTopicIds: false, partitions: Self.partitions(1), now: 900)
        // At 1500 the big one is unused for 1500 ms (stale), the small one only 600 ms.
        let newcomer = await cache.create(privileged: false, usesTopicIds: false, partitions: Self.partitions(1), now: 1_500)
        #expect(newcomer > 0)
        #expect(await cache.contains(big) == false)
        #expect(await cache.contains(small))
        #expect(await cache.partitionCount == 2)
    }

    @Test func epochsWrapAndFinalStaysFinal() {
        #expect(FetchSessionEpoch.next(0) == 1)
        #expect(FetchSessionEpoch.next(41) == 42)
        #expect(FetchSessionEpoch.next(Int32.max) == 1)
        #expect(FetchSessionEpoch.next(-1) == -1)
    }
}
