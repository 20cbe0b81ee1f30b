import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
@testable import SluiceKernel
import Testing

/// The high-watermark checkpoint across real restarts: brokers on segment-log storage in
/// their own directories, the checkpoint file beside the partitions.
@Suite(.serialized) struct ReplicationCheckpointTests {
    static let tp = TopicPartition("ckpt", 0)
    static let topic = TopicRecord(name: "ckpt", partitionCount: 1, replicas: [[1, 2]])

    /// Leader 1 with follower 2 in sync: 5 records acknowledged by both (high watermark 5),
    /// then broker 2 crashes and 3 more records reach only broker 1 (log end 8), then
    /// broker 1 stops cleanly. The ISR still names broker 2, so after a restart broker 1
    /// alone cannot move its high watermark.
    func prepare(_ cluster: ReplicationCluster) async throws {
        try await cluster.setState(Self.tp, leader: 1, epoch: 1, isr: [1, 2])
        let client = try await cluster[1].client()
        _ = try await client.produce(topic: "ckpt", partition: 0, records: sampleRecords(5), acks: -1)
        #expect(await cluster[1].info(Self.tp)?.highWatermark == 5)
        await cluster[2].stop()
        _ = try await client.produce(topic: "ckpt", partition: 0, records: sampleRecords(3, prefix: "unconfirmed"), acks: 1)
        #expect(await cluster[1].info(Self.tp)?.logEndOffset == 8)
        await client.close()
        await cluster[1].stop()
    }

    func checkpointPath(_ cluster: ReplicationCluster, _ id: Int32) -> String {
        cluster.root.appendingPathComponent("broker-\(id)").appendingPathComponent(HighWatermarkCheckpoint.fileName).path
    }

    @Test func aRestartedLeaderServesUpToItsCheckpointAtOnce() async throws {
        try await withCluster(brokers: [1, 2], topics: [Self.topic], replication: testReplication()) { cluster in
            try await prepare(cluster)
            // The clean stop wrote the mark in Kafka's format.
            let text = String(decoding: FileManager.default.contents(atPath: checkpointPath(cluster, 1)) ?? Data(), as: UTF8.self)
            #expect(text == "0\n1\nckpt 0 5\n")
            try await cluster.start(1)
            #expect(await eventually { await cluster[1].info(Self.tp)?.role == .leader })
            // Up to the checkpoint at once, with broker 2 still away; not the unconfirmed tail.
            let info = await cluster[1].info(Self.tp)
            #expect(info?.highWatermark == 5)
            #expect(info?.logEndOffset == 8)
            let client = try await cluster[1].client()
            let fetched = try await client.fetch(topic: "ckpt", partition: 0, offset: 0, maxWaitMs: 0)
            #expect(try fetched.records().count == 5)
            #expect(fetched.highWatermark == 5)
            // Broker 2 returns and fetches the tail: the mark moves to the log end.
            try await cluster.start(2)
            #expect(await eventually { await cluster[1].info(Self.tp)?.highWatermark == 8 })
            await client.close()
        }
    }

    @Test func withoutACheckpointTheHighWatermarkRestartsAtTheLogStart() async throws {
        try await withCluster(brokers: [1, 2], topics: [Self.topic], replication: testReplication()) { cluster in
            try await prepare(cluster)
            try FileManager.default.removeItem(atPath: checkpointPath(cluster, 1))
            try await cluster.start(1)
            #expect(await eventually { await cluster[1].info(Self.tp)?.role == .leader })
            #expect(await cluster[1].info(Self.tp)?.highWatermark == 0)
            let client = try await cluster[1].client()
            let fetched = try await client.fetch(topic: "ckpt", partition: 0, offset: 0, maxWaitMs: 0)
            #expect(try fetched.records().isEmpty)
            try await cluster.start(2)
            #expect(await eventually { await cluster[1].info(Self.tp)?.highWatermark == 8 })
            await client.close()
        }
    }

    @Test func theCheckpointIsWrittenPeriodicallyWhileRunning() async throws {
        var replication = testReplication()
        replication.highWatermarkCheckpointIntervalMs = 100
        try await withCluster(brokers: [1, 2], topics: [Self.topic], replication: replication) { cluster in
            try await cluster.setState(Self.tp, leader: 1, epoch: 1, isr: [1, 2])
            let client = try await cluster[1].client()
            _ = try await client.produce(topic: "ckpt", partition: 0, records: sampleRecords(4), acks: -1)
            let checkpoint = HighWatermarkCheckpoint(path: checkpointPath(cluster, 1))
            #expect(await eventually { checkpoint.read()[Self.tp] == 4 })
            // The follower keeps its own, from the leader's mark.
            let follower = HighWatermarkCheckpoint(path: checkpointPath(cluster, 2))
            #expect(await eventually { follower.read()[Self.tp] == 4 })
            await client.close()
        }
    }

    @Test func aCheckpointThatDoesNotParseIsIgnored() throws {
        #expect(HighWatermarkCheckpoint.parse("0\n2\na 0 5\n") == nil)
        #expect(HighWatermarkCheckpoint.parse("1\n1\na 0 5\n") == nil)
        #expect(HighWatermarkCheckpoint.parse("0\n1\na x 5\n") == nil)
        #expect(HighWatermarkCheckpoint.parse("0\n1\na 3 -1\n") == nil)
        #expect(HighWatermarkCheckpoint.parse("0\n0\n") == [:])
        let marks = [TopicPartition("a", 0): Int64(5), TopicPartition("b.c-d", 12): 0]
        #expect(HighWatermarkCheckpoint.parse(HighWatermarkCheckpoint.render(marks)) == marks)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-hw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = HighWatermarkCheckpoint(path: directory.appendingPathComponent("cp").path)
        #expect(checkpoint.read().isEmpty)
        try checkpoint.write(marks)
        #expect(checkpoint.read() == marks)
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: checkpoint.path))
        #expect(checkpoint.read().isEmpty)
        #expect(throws: HighWatermarkCheckpointError.self) {
            try HighWatermarkCheckpoint(path: directory.appendingPathComponent("missing/cp").path).write(marks)
        }
    }
}
