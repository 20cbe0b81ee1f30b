import Foundation
@testable import KafkaWire
import Logging
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

/// The broker-to-broker calls of cluster transactions over real sockets: a coordinator's
/// WriteTxnMarkers to partition leaders and a leader's KIP-890 verification
/// (AddPartitionsToTxn v4 verifyOnly) through `KafkaReplicaTransport`, and
/// DescribeProducers (61) answered by partition leaders only.
@Suite struct ClusterTransactionCallsTests {
    @Test func markersGoToTheLeaderAndAFollowerRefusesThem() async throws {
        let topic = TopicRecord(name: "txm", partitionCount: 1, replicas: [[1, 2, 3]])
        let tp = TopicPartition("txm", 0)
        try await withCluster(topics: [topic], replication: testReplication()) { cluster in
            try await cluster.setState(tp, leader: 1, epoch: 1, isr: [1, 2, 3])
            cluster[1].broker.setTransactionVerifier(AlwaysInTransaction())
            let leader = try await cluster[1].client()
            let produced = try await leader.send(TransactionFetchTests.transactionalProduce(["a", "b"], pid: 500, seq: 0, topic: "txm"), version: 9)
            #expect(produced.responses[0].partitionResponses[0].errorCode == 0)

            let transport = KafkaReplicaTransport(clientId: "sluice-transactions-test", logger: Logger(label: "test"))
            let marker = TransactionMarker(producerId: 500, producerEpoch: 0, commit: true, coordinatorEpoch: 3)
            let refused = try await transport.writeTxnMarkers(to: cluster[2].endpoint, marker: marker, partitions: [tp])
            #expect(refused.keys.sorted() == [tp])
            if case .notLeaderOrFollower = refused[tp] {} else { Issue.record("expected NOT_LEADER_OR_FOLLOWER, got \(String(describing: refused[tp]))") }

            // The leader answers once the in-sync replicas hold the marker.
            let written = try await transport.writeTxnMarkers(to: cluster[1].endpoint, marker: marker, partitions: [tp])
            #expect(written.isEmpty)
            for id: Int32 in [1, 2, 3] {
                #expect(await eventually { (try? await cluster[id].storedBatches(tp).last?.isControl) == true }, "the marker is on broker \(id)")
            }
            // A marker from an older coordinator epoch is refused (a replaced coordinator's late marker).
            let produced2 = try await leader.send(TransactionFetchTests.transactionalProduce(["c"], pid: 500, seq: 2, topic: "txm"), version: 9)
            #expect(produced2.responses[0].partitionResponses[0].errorCode == 0)
            let late = TransactionMarker(producerId: 500, producerEpoch: 0, commit: false, coordinatorEpoch: 2)
            let fenced = try await transport.writeTxnMarkers(to: cluster[1].endpoint, marker: late, partitions: [tp])
            if case .transactionCoordinatorFenced = fenced[tp] {} else { Issue.record("expected TRANSACTION_COORDINATOR_FENCED, got \(fenced)") }

            // DescribeProducers: the leader lists the producer and its open transaction; a
            // follower answers NOT_LEADER_OR_FOLLOWER.
            let described = try await leader.describeProducers(topic: "txm", partitions: [0])
            #expect(described[0]?.map(\.producerId) == [500])
            #expect(described[0]?.first?.currentTxnStartOffset == 3)
            #expect(described[0]?.first?.coordinatorEpoch == 3)
            let follower = try await cluster[2].client()
            var ask = DescribeProducersRequest()
            ask.topics = [.init(name: "txm", partitionIndexes: [0]), .init(name: "nope", partitionIndexes: [0])]
            let answer = try await follower.send(ask, version: 0)
            #expect(answer.topics.map { $0.partitions[0].errorCode }
                    == [KafkaErrorCode.notLeaderOrFollower.rawValue, KafkaErrorCode.unknownTopicOrPartition.rawValue])
            await transport.close()
            await follower.close()
            await leader.close()
        }
    }

    @Test func aLeaderVerifiesATransactionalProduceWithTheCoordinator() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("txv", partitions: 2)
            let producer = try await client.initProducerId(transactionalId: "tx-verify")
            try await client.addPartitionsToTxn(transactionalId: "tx-verify", producerId: producer.producerId, epoch: producer.epoch,
                                                partitions: ["txv": [0]])
            let address = try await server.server.listeningAddress()
            let coordinator = BrokerEndpoint(id: 1, host: address.host, port: Int32(address.port))
            let transport = KafkaReplicaTransport(clientId: "sluice-transactions-test", logger: Logger(label: "test"))
            let verify = { (id: String, pid: Int64, epoch: Int16, partition: Int32) in
                try await transport.verifyTransaction(at: coordinator, transactionalId: id, producerId: pid, producerEpoch: epoch,
                                                      partition: TopicPartition("txv", partition))
            }
            #expect(try await verify("tx-verify", producer.producerId, producer.epoch, 0) == .ongoing)
            #expect(try await verify("tx-verify", producer.producerId, producer.epoch, 1) == .notInTransaction)
            #expect(try await verify("tx-other", producer.producerId, producer.epoch, 0) == .notInTransaction)
            _ = try await client.initProducerId(transactionalId: "tx-verify")
            guard case .fenced = try await verify("tx-verify", producer.producerId, producer.epoch, 0) else {
                Issue.record("an older epoch must be fenced")
                return
            }
            await transport.close()
            await client.close()
        }
    }
}
