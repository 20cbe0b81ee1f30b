import Foundation
@testable import KafkaWire
import Logging
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import SluiceMemory
import Testing

/// WriteTxnMarkers (27) over the wire: a leader writes the commit or abort control batch
/// into the partitions it holds and answers per partition; a follower answers
/// NOT_LEADER_OR_FOLLOWER, and the leader's marker reaches the followers like data.
@Suite struct WriteTxnMarkersTests {
    static func markers(_ pid: Int64, epoch: Int16 = 0, commit: Bool, _ partitions: [(String, [Int32])],
                        coordinatorEpoch: Int32 = 0) -> WriteTxnMarkersRequest {
        var request = WriteTxnMarkersRequest()
        request.markers = [.init(producerId: pid, producerEpoch: epoch, transactionResult: commit,
                                 topics: partitions.map { .init(name: $0.0, partitionIndexes: $0.1) }, coordinatorEpoch: coordinatorEpoch)]
        return request
    }

    static func codes(_ response: WriteTxnMarkersResponse) -> [String: Int16] {
        var codes: [String: Int16] = [:]
        for marker in response.markers {
            for topic in marker.topics {
                for partition in topic.partitions { codes["\(marker.producerId)/\(topic.name)-\(partition.partitionIndex)"] = partition.errorCode }
            }
        }
        return codes
    }

    @Test(arguments: [Int16(0), 1]) func leaderWritesMarkersAndAnswersEachPartition(version: Int16) async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("tx", partitions: 1)
            server.broker.setTransactionVerifier(AlwaysInTransaction())
            let advertised = try await client.send(ApiVersionsRequest(), version: 3).apiKeys.first { $0.apiKey == ApiKey.writeTxnMarkers.rawValue }
            #expect(advertised?.minVersion == 0 && advertised?.maxVersion == 1)

            for (pid, value) in [(Int64(200), "kept"), (201, "dropped")] {
                let produced = try await client.send(TransactionFetchTests.transactionalProduce([value], pid: pid, seq: 0, topic: "tx"), version: 9)
                #expect(produced.responses[0].partitionResponses[0].errorCode == 0)
            }
            #expect(try await TransactionFetchTests.latest(client, topic: "tx", isolation: 1) == 0, "two open transactions hold the LSO")

            let commit = try await client.send(Self.markers(200, commit: true, [("tx", [0]), ("nope", [0])]), version: version)
            #expect(Self.codes(commit) == ["200/tx-0": 0, "200/nope-0": KafkaErrorCode.unknownTopicOrPartition.rawValue])
            let abort = try await client.send(Self.markers(201, commit: false, [("tx", [0, 7])]), version: version)
            #expect(Self.codes(abort) == ["201/tx-0": 0, "201/tx-7": KafkaErrorCode.unknownTopicOrPartition.rawValue])
            // A retried marker is idempotent: nothing is written twice.
            let again = try await client.send(Self.markers(200, commit: true, [("tx", [0])]), version: version)
            #expect(Self.codes(again) == ["200/tx-0": 0])
            #expect(try await TransactionFetchTests.latest(client, topic: "tx", isolation: 0) == 4, "two records and two markers")

            let read = try await TransactionFetchTests.fetch(client, topic: "tx", offset: 0, isolation: 1)
            #expect(read.lastStableOffset == 4)
            #expect(read.abortedTransactions?.map { [$0.producerId, $0.firstOffset] } == [[201, 1]])
            let batches = try RecordBatch.parse(read.records?.load() ?? ByteBuffer())
            #expect(batches.map(\.isControl) == [false, false, true, true])
            #expect(batches.compactMap(ControlRecord.marker(in:)).map(\.commit) == [true, false])

            // A marker of an older producer epoch than the partition has seen is refused.
            let produced = try await client.send(TransactionFetchTests.transactionalProduce(["x"], pid: 202, seq: 0, topic: "tx"), version: 9)
            #expect(produced.responses[0].partitionResponses[0].errorCode == 0)
            let newer = try await client.send(Self.markers(202, epoch: 1, commit: false, [("tx", [0])]), version: version)
            #expect(Self.codes(newer) == ["202/tx-0": 0])
            let stale = try await client.send(Self.markers(202, epoch: 0, commit: true, [("tx", [0])]), version: version)
            #expect(Self.codes(stale) == ["202/tx-0": KafkaErrorCode.invalidProducerEpoch.rawValue])
            await client.close()
        }
    }

    @Test func followerRefusesAndTheLeadersMarkerIsReplicated() async throws {
        let topic = TopicRecord(name: "repl", partitionCount: 1, replicas: [[1, 2, 3]])
        let tp = TopicPartition("repl", 0)
        try await withCluster(topics: [topic], replication: testReplication()) { cluster in
            try await cluster.setState(tp, leader: 1, epoch: 1, isr: [1, 2, 3])
            cluster[1].broker.setTransactionVerifier(AlwaysInTransaction())
            let leader = try await cluster[1].client()
            let produced = try await leader.send(TransactionFetchTests.transactionalProduce(["a", "b"], pid: 300, seq: 0, topic: "repl"), version: 9)
            #expect(produced.responses[0].partitionResponses[0].errorCode == 0)

            let follower = try await cluster[2].client()
            let refused = try await follower.send(Self.markers(300, commit: true, [("repl", [0])]), version: 1)
            #expect(Self.codes(refused) == ["300/repl-0": KafkaErrorCode.notLeaderOrFollower.rawValue])
            let written = try await leader.send(Self.markers(300, commit: true, [("repl", [0])]), version: 1)
            #expect(Self.codes(written) == ["300/repl-0": 0])

            for id: Int32 in [2, 3] {
                #expect(await eventually { (try? await cluster[id].storedBatches(tp).last?.isControl) == true },
                        "the commit marker reached broker \(id)")
            }
            #expect(await eventually { await cluster[1].info(tp)?.highWatermark == 3 })
            let read = try await TransactionFetchTests.fetch(leader, topic: "repl", offset: 0, isolation: 1)
            #expect(read.lastStableOffset == 3)
            #expect(try TransactionFetchTests.offsets(read) == [0, 2])
            await follower.close()
            await leader.close()
        }
    }
}
