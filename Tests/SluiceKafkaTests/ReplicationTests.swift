import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
@testable import SluiceKernel
import Testing

/// Replication with three real brokers in one process: segment-log storage each, the real
/// Kafka listener, `KafkaReplicaTransport` between them; the test plays controller.
@Suite(.serialized) struct ReplicationTests {
    static let tp = TopicPartition("repl", 0)
    static let topic = TopicRecord(name: "repl", partitionCount: 1, replicas: [[1, 2, 3]])

    /// The error code of a Kafka client call that must fail.
    func code(_ body: () async throws -> Void) async -> KafkaErrorCode? {
        do {
            try await body()
            return nil
        } catch KafkaClientError.broker(let code, _, _) {
            return code
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    /// Every broker's stored batches agree, bytes and offsets, up to `offset`.
    func expectLogsAgree(_ cluster: ReplicationCluster, ids: [Int32], through offset: Int64) async throws {
        var logs: [Int32: [RecordBatch]] = [:]
        for id in ids { logs[id] = try await cluster[id].storedBatches(Self.tp).filter { $0.baseOffset < offset } }
        let reference = logs[ids[0]]!
        #expect(reference.last.map { $0.lastOffset + 1 } == offset)
        for id in ids.dropFirst() {
            let other = logs[id]!
            #expect(other.count == reference.count, "broker \(id) holds \(other.count) batches below \(offset), broker \(ids[0]) \(reference.count)")
            for (a, b) in zip(reference, other) {
                #expect(a.baseOffset == b.baseOffset && a.buffer == b.buffer, "broker \(id) differs at offset \(a.baseOffset)")
            }
        }
    }

    @Test func acksAllReachesEveryFollowerWithIdenticalBytes() async throws {
        try await withCluster(topics: [Self.topic], replication: testReplication()) { cluster in
            try await cluster.setState(Self.tp, leader: 1, epoch: 1, isr: [1, 2, 3])
            let client = try await cluster[1].client()
            for round in 0..<5 {
                let offset = try await client.produce(topic: "repl", partition: 0, records: sampleRecords(3, prefix: "r\(round)-"), acks: -1)
                #expect(offset == Int64(round * 3))
                // acks=all answered: the high watermark is past the records.
                #expect(await cluster[1].info(Self.tp)?.highWatermark ?? 0 >= Int64(round * 3 + 3))
            }
            #expect(await cluster[1].info(Self.tp)?.role == .leader)
            #expect(await cluster[2].info(Self.tp)?.role == .follower)
            #expect(await cluster[2].info(Self.tp)?.leader == 1)
            try await expectLogsAgree(cluster, ids: [1, 2, 3], through: 15)
            for batch in try await cluster[2].storedBatches(Self.tp) { #expect(batch.partitionLeaderEpoch == 1) }
            // Followers learn the high watermark on their next fetch.
            #expect(await eventually { await cluster[3].info(Self.tp)?.highWatermark == 15 })
            // A consumer reads from the leader.
            let fetched = try await client.fetch(topic: "repl", partition: 0, offset: 0)
            #expect(try fetched.records().count == 15)
            await client.close()
        }
    }

    @Test func acksAllTimesOutThenIsrShrinksThenTheFollowerRejoins() async throws {
        try await withCluster(topics: [Self.topic], replication: testReplication(lagMs: 3_000)) { cluster in
            try await cluster.setState(Self.tp, leader: 1, epoch: 1, isr: [1, 2, 3])
            let client = try await cluster[1].client()
            try await client.produce(topic: "repl", partition: 0, records: sampleRecords(2), acks: -1)
            await cluster[3].stop()
            // Broker 3 is still in the ISR: acks=all cannot complete within 300 ms.
            let timedOut = await code {
                try await client.produce(topic: "repl", partition: 0, batches: RecordBatchBuilder().build(sampleRecords(1)).buffer,
                                         acks: -1, timeoutMs: 300)
            }
            #expect(timedOut == .requestTimedOut)
            // After replicaLagTimeMs the leader drops broker 3 from the ISR; acks=all succeeds with two.
            #expect(try await eventually { try await cluster.isr(Self.tp) == [1, 2] })
            let offset = try await client.produce(topic: "repl", partition: 0, records: sampleRecords(2, prefix: "after"), acks: -1)
            #expect(offset == 3)
            // Broker 3 comes back (same directory), catches up and rejoins the ISR.
            try await cluster.start(3)
            #expect(try await eventually { try await cluster.isr(Self.tp) == [1, 2, 3] })
            try await expectLogsAgree(cluster, ids: [1, 2, 3], through: 5)
            await client.close()
        }
    }

    @Test func minInsyncReplicasRefusesBeforeAppending() async throws {
        let strict = TopicRecord(name: "strict", partitionCount: 1, configs: ["min.insync.replicas": "2"], replicas: [[1]])
        try await withCluster(topics: [strict], replication: testReplication()) { cluster in
            let tp = TopicPartition("strict", 0)
            try await cluster.setState(tp, leader: 1, epoch: 1, isr: [1])
            #expect(await eventually { await cluster[1].info(tp)?.role == .leader })
            let client = try await cluster[1].client()
            let refused = await code { try await client.produce(topic: "strict", partition: 0, records: sampleRecords(1), acks: -1) }
            #expect(refused == .notEnoughReplicas)
            #expect(await cluster[1].info(tp)?.logEndOffset == 0)
            // acks=1 does not need the ISR.
            #expect(try await client.produce(topic: "strict", partition: 0, records: sampleRecords(1), acks: 1) == 0)
            await client.close()
        }
    }

    @Test func acksAllWaiterFailsWhenTheIsrShrinksBelowTheMinimum() async throws {
        let strict = TopicRecord(name: "repl", partitionCount: 1, configs: ["min.insync.replicas": "2"], replicas: [[1, 2, 3]])
        try await withCluster(topics: [strict], replication: testReplication(lagMs: 1_500)) { cluster in
            try await cluster.setState(Self.tp, leader: 1, epoch: 1, isr: [1, 2, 3])
            let client = try await cluster[1].client()
            try await client.produce(topic: "repl", partition: 0, records: sampleRecords(1), acks: -1)
            await cluster[2].stop()
            await cluster[3].stop()
            // Appended while the ISR is still [1, 2, 3]; the followers never fetch it, and
            // when the leader drops them the ISR (1) is below min.insync.replicas (2).
            let failed = await code {
                try await client.produce(topic: "repl", partition: 0, batches: RecordBatchBuilder().build(sampleRecords(1)).buffer,
                                         acks: -1, timeoutMs: 60_000)
            }
            #expect(failed == .notEnoughReplicasAfterAppend)
            #expect(try await cluster.isr(Self.tp) == [1])
            #expect(await cluster[1].info(Self.tp)?.logEndOffset == 2)
            // Now refused before appending.
            let refused = await code { try await client.produce(topic: "repl", partition: 0, records: sampleRecords(1), acks: -1) }
            #expect(refused == .notEnoughReplicas)
            await client.close()
        }
    }

    @Test func nonLeadersAndStaleEpochsAreRefused() async throws {
        try await withCluster(topics: [Self.topic], replication: testReplication()) { cluster in
            try await cluster.setState(Self.tp, leader: 1, epoch: 3, isr: [1, 2, 3])
            #expect(await eventually { await cluster[2].info(Self.tp)?.role == .follower })
            let follower = try await cluster[2].client()
            let produce = await code { try await follower.produce(topic: "repl", partition: 0, records: sampleRecords(1), acks: 1) }
            #expect(produce == .notLeaderOrFollower)
            let fetch = await code { _ = try await follower.fetch(topic: "repl", partition: 0, offset: 0, maxWaitMs: 0) }
            #expect(fetch == .notLeaderOrFollower)
            let listed = await code { _ = try await follower.listOffset(topic: "repl", partition: 0, .latest) }
            #expect(listed == .notLeaderOrFollower)
            await follower.close()

            let leader = try await cluster[1].client()
            try await leader.produce(topic: "repl", partition: 0, records: sampleRecords(2), acks: -1)
            #expect(try await fetchError(leader, currentLeaderEpoch: 2) == .fencedLeaderEpoch)
            #expect(try await fetchError(leader, currentLeaderEpoch: 4) == .unknownLeaderEpoch)
            #expect(try await fetchError(leader, currentLeaderEpoch: 3) == KafkaErrorCode.none)
            let answer = try await epochAnswer(leader, current: 2, asked: 3)
            #expect(KafkaErrorCode(rawValue: answer.errorCode) == .fencedLeaderEpoch)
            await leader.close()
        }
    }

    @Test func newLeaderBumpsEpochAndOldLeaderTruncatesItsDivergentTail() async throws {
        try await withCluster(topics: [Self.topic], replication: testReplication(lagMs: 60_000)) { cluster in
            try await cluster.setState(Self.tp, leader: 1, epoch: 1, isr: [1, 2, 3])
            let client1 = try await cluster[1].client()
            for _ in 0..<3 { try await client1.produce(topic: "repl", partition: 0, records: sampleRecords(2, prefix: "committed"), acks: -1) }
            await client1.close()
            // Broker 1 is cut off, yet appends two batches no follower ever gets.
            await cluster[1].stopListener()
            for _ in 0..<2 {
                _ = try await cluster[1].broker.produce(to: Self.tp, bytes: RecordBatchBuilder().build(sampleRecords(3, prefix: "lost")).buffer, acks: 1)
            }
            #expect(await cluster[1].info(Self.tp)?.logEndOffset == 12)
            await cluster[1].stop()

            // The controller moves leadership to broker 2 in epoch 2.
            try await cluster.setState(Self.tp, leader: 2, epoch: 2, isr: [2, 3])
            #expect(await eventually { await cluster[2].info(Self.tp)?.role == .leader })
            let client2 = try await cluster[2].client()
            let offset = try await client2.produce(topic: "repl", partition: 0, records: sampleRecords(4, prefix: "epoch2"), acks: -1)
            #expect(offset == 6)
            #expect(await cluster[2].info(Self.tp)?.leaderEpoch == 2)
            // The new leader answers OffsetForLeaderEpoch from its epoch cache.
            let epoch1 = try await epochAnswer(client2, current: 2, asked: 1)
            #expect(epoch1.errorCode == 0 && epoch1.leaderEpoch == 1 && epoch1.endOffset == 6)
            let epoch2 = try await epochAnswer(client2, current: 2, asked: 2)
            #expect(epoch2.leaderEpoch == 2 && epoch2.endOffset == 10)

            // Broker 1 returns: it follows broker 2, truncates offsets 6..<12 and fetches epoch 2.
            try await cluster.start(1)
            #expect(await eventually { await cluster[1].info(Self.tp)?.logEndOffset == 10 })
            #expect(try await eventually { try await cluster.isr(Self.tp) == [1, 2, 3] })
            try await expectLogsAgree(cluster, ids: [2, 1, 3], through: 10)
            let values = try await cluster[1].storedBatches(Self.tp).flatMap { try $0.records() }.map { String(decoding: $0.value ?? [], as: UTF8.self) }
            #expect(!values.contains { $0.hasPrefix("lost") })
            #expect(await cluster[1].broker.partition(Self.tp)?.leaderEpochs().map(\.epoch) == [1, 2])
            await client2.close()
        }
    }

    @Test func epochCacheIsRebuiltWhenASegmentLogReopens() async throws {
        try await withCluster(brokers: [1], topics: [TopicRecord(name: "repl", partitionCount: 1, replicas: [[1]])],
                              replication: testReplication()) { cluster in
            let client = try await cluster[1].client()
            var expected: [(Int32, Int64)] = []
            var next: Int64 = 0
            for epoch: Int32 in [1, 2, 5] {
                try await cluster.setState(Self.tp, leader: 1, epoch: epoch, isr: [1])
                #expect(await eventually { await cluster[1].info(Self.tp)?.leaderEpoch == epoch })
                expected.append((epoch, next))
                for _ in 0..<Int(epoch) {
                    try await client.produce(topic: "repl", partition: 0, records: sampleRecords(2), acks: -1)
                    next += 2
                }
            }
            await client.close()
            await cluster[1].stop()
            try await cluster.start(1)
            let rebuilt = await cluster[1].broker.partition(Self.tp)?.leaderEpochs() ?? []
            #expect(rebuilt.map(\.epoch) == expected.map(\.0))
            #expect(rebuilt.map(\.startOffset) == expected.map(\.1))
        }
    }

    @Test func singleNodeAnswersOffsetForLeaderEpochAsEpochZero() async throws {
        try await withServer { server in
            _ = try await server.broker.createTopic("repl", partitions: 1)
            let client = try await server.client()
            #expect(client.brokerVersions[.offsetForLeaderEpoch] == 0...4)
            try await client.produce(topic: "repl", partition: 0, records: sampleRecords(3), acks: -1)
            let zero = try await epochAnswer(client, current: 0, asked: 0)
            #expect(zero.errorCode == 0 && zero.leaderEpoch == 0 && zero.endOffset == 3)
            let later = try await epochAnswer(client, current: -1, asked: 4)
            #expect(later.leaderEpoch == -1 && later.endOffset == -1)
            // Fencing is a cluster matter: a single node serves any epoch a client sends.
            #expect(try await fetchError(client, currentLeaderEpoch: 7) == KafkaErrorCode.none)
            await client.close()
        }
    }

    private func fetchError(_ client: KafkaClient, currentLeaderEpoch: Int32) async throws -> KafkaErrorCode {
        var partition = FetchRequest.Partition()
        partition.partition = 0
        partition.currentLeaderEpoch = currentLeaderEpoch
        partition.partitionMaxBytes = 1 << 20
        var topic = FetchRequest.Topic()
        topic.topic = "repl"
        topic.partitions = [partition]
        var request = FetchRequest()
        request.topics = [topic]
        let response = try await client.send(request, version: 12)
        return KafkaErrorCode(rawValue: response.responses.first?.partitions.first?.errorCode ?? -1)
    }

    private func epochAnswer(_ client: KafkaClient, current: Int32, asked: Int32) async throws -> OffsetForLeaderEpochResponse.Partition {
        var request = OffsetForLeaderEpochRequest()
        request.replicaId = -1
        request.topics = [.init(topic: "repl", partitions: [.init(partition: 0, currentLeaderEpoch: current, leaderEpoch: asked)])]
        let response = try await client.send(request)
        return response.topics.first?.partitions.first ?? OffsetForLeaderEpochResponse.Partition()
    }
}
