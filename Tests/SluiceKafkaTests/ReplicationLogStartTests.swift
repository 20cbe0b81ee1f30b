import Foundation
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
@testable import SluiceKernel
import Testing

/// A follower whose log ends below the leader's log start (the leader deleted records while
/// it was away) empties its log and restarts it at the leader's start, as Kafka's
/// ReplicaFetcherThread does, instead of retrying an out-of-range fetch forever.
@Suite(.serialized) struct ReplicationLogStartTests {
    static let tp = TopicPartition("repl", 0)
    static let topic = TopicRecord(name: "repl", partitionCount: 1, replicas: [[1, 2, 3]])

    @Test func followerBelowTheLeadersLogStartRestartsThereAndRejoins() async throws {
        try await withCluster(topics: [Self.topic], replication: testReplication(lagMs: 2_000)) { cluster in
            try await cluster.setState(Self.tp, leader: 1, epoch: 1, isr: [1, 2, 3])
            let client = try await cluster[1].client()
            for _ in 0..<3 { try await client.produce(topic: "repl", partition: 0, records: sampleRecords(2, prefix: "early"), acks: -1) }
            #expect(await eventually { await cluster[3].info(Self.tp)?.logEndOffset == 6 })
            await cluster[3].stop()
            #expect(try await eventually { try await cluster.isr(Self.tp) == [1, 2] })
            for _ in 0..<5 { try await client.produce(topic: "repl", partition: 0, records: sampleRecords(2, prefix: "late"), acks: -1) }
            // The leader deletes [0, 12) while broker 3, whose log ends at 6, is away.
            #expect(try await cluster[1].broker.deleteRecords(Self.tp, before: 12) == 12)

            try await cluster.start(3)
            #expect(await eventually { await cluster[3].info(Self.tp)?.logEndOffset == 16 })
            #expect(try await eventually { try await cluster.isr(Self.tp) == [1, 2, 3] })
            let restarted = await cluster[3].broker.partition(Self.tp)
            #expect(await restarted?.logStartOffset == 12)
            let leaderBatches = try await cluster[1].storedBatches(Self.tp)
            let followerBatches = try await cluster[3].storedBatches(Self.tp)
            #expect(followerBatches.map(\.baseOffset) == [12, 14])
            #expect(followerBatches.map(\.buffer) == leaderBatches.map(\.buffer), "broker 3 holds the leader's bytes from 12 on")
            let values = try followerBatches.flatMap { try $0.records() }.map { String(decoding: $0.value ?? [], as: UTF8.self) }
            #expect(!values.contains { $0.hasPrefix("early") })

            // acks=all with broker 3 back in the ISR, and the restarted log survives a reopen.
            #expect(try await client.produce(topic: "repl", partition: 0, records: sampleRecords(2, prefix: "after"), acks: -1) == 16)
            #expect(await eventually { await cluster[3].info(Self.tp)?.logEndOffset == 18 })
            await cluster[3].stop()
            try await cluster.start(3)
            let reopened = await cluster[3].broker.partition(Self.tp)
            #expect(await reopened?.logStartOffset == 12)
            #expect(await reopened?.logEndOffset == 18)
            await client.close()
        }
    }
}
