import Foundation
@testable import KafkaWire
import Logging
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import SluiceMemory
import SluiceSegmentLog
import Testing

/// The coordinator's answer to every verification: the partition is in the transaction.
struct AlwaysInTransaction: TransactionVerifier {
    func verify(transactionalProducer producerId: Int64, epoch producerEpoch: Int16, partition: TopicPartition) async -> TransactionVerification {
        .ongoing
    }
}

/// The partition side of transactions over the wire, on the segment log: a transactional
/// Produce, read_committed Fetch (LSO, aborted transactions) and ListOffsets, across a
/// restart of the storage (the `.txnindex` and the open transaction come back).
@Suite struct TransactionFetchTests {
    static func transactionalProduce(_ values: [String], pid: Int64, seq: Int32, topic: String) -> KafkaWire.ProduceRequest {
        var builder = RecordBatchBuilder()
        builder.producerId = pid
        builder.producerEpoch = 0
        builder.baseSequence = seq
        builder.isTransactional = true
        let batch = builder.build(values.map { Record(value: Array($0.utf8), timestamp: 1_700_000_000_000) })
        var partition = KafkaWire.ProduceRequest.Partition()
        partition.index = 0
        partition.records = .bytes(batch.buffer)
        var topicData = KafkaWire.ProduceRequest.Topic()
        topicData.name = topic
        topicData.partitionData = [partition]
        var request = KafkaWire.ProduceRequest()
        request.transactionalId = "app-\(pid)"
        request.acks = -1
        request.timeoutMs = 5000
        request.topicData = [topicData]
        return request
    }

    static func fetch(_ client: KafkaClient, topic: String, offset: Int64, isolation: Int8) async throws -> FetchResponse.Partition {
        var request = FetchSessionTests.fetch([(topic, UUID.zero, 0, offset)], sessionId: 0, epoch: -1)
        request.isolationLevel = isolation
        let response = try await client.send(request, version: 12)
        return response.responses[0].partitions[0]
    }

    static func offsets(_ partition: FetchResponse.Partition) throws -> [Int64] {
        try RecordBatch.parse(partition.records?.load() ?? ByteBuffer()).map(\.baseOffset)
    }

    static func latest(_ client: KafkaClient, topic: String, isolation: Int8) async throws -> Int64 {
        var query = ListOffsetsRequest.Partition()
        query.partitionIndex = 0
        query.timestamp = ListOffsetsRequest.SpecialTimestamp.latest
        var topicQuery = ListOffsetsRequest.Topic()
        topicQuery.name = topic
        topicQuery.partitions = [query]
        var request = ListOffsetsRequest()
        request.isolationLevel = isolation
        request.topics = [topicQuery]
        return try await client.send(request, version: 7).topics[0].partitions[0].offset
    }

    @Test func readCommittedOverTheWireSurvivesARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-txn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let metadata = MemoryMetadataStore()
        func storage() throws -> SegmentLogStorage {
            try SegmentLogStorage(configuration: SegmentLogStorageFactory.Configuration(), directory: directory, logger: Logger(label: "test"))
        }
        let tp = TopicPartition("tx", 0)
        try await withServer(storage: try storage(), metadata: metadata) { server in
            let client = try await server.client()
            try await client.createTopic("tx", partitions: 1, configs: ["segment.bytes": "1024"])
            let refused = try await client.send(Self.transactionalProduce(["no"], pid: 99, seq: 0, topic: "tx"), version: 9)
            #expect(refused.responses[0].partitionResponses[0].errorCode == KafkaErrorCode.invalidTxnState.rawValue,
                    "no transaction coordinator: INVALID_TXN_STATE")

            server.broker.setTransactionVerifier(AlwaysInTransaction())
            try await client.produce(topic: "tx", partition: 0, records: sampleRecords(3))                       // 0...2
            let produced = try await client.send(Self.transactionalProduce(["t1", "t2"], pid: 100, seq: 0, topic: "tx"), version: 9)
            #expect(produced.responses[0].partitionResponses[0].errorCode == 0)                                 // 3...4
            #expect(produced.responses[0].partitionResponses[0].baseOffset == 3)

            let committed = try await Self.fetch(client, topic: "tx", offset: 0, isolation: 1)
            #expect(try Self.offsets(committed) == [0], "read_committed stops below the LSO 3")
            #expect(committed.lastStableOffset == 3 && committed.highWatermark == 5)
            #expect(committed.abortedTransactions?.isEmpty == true)
            let uncommitted = try await Self.fetch(client, topic: "tx", offset: 0, isolation: 0)
            #expect(try Self.offsets(uncommitted) == [0, 3])
            #expect(uncommitted.abortedTransactions == nil, "read_uncommitted sends no aborted list (null)")
            #expect(uncommitted.lastStableOffset == 3)
            #expect(try await Self.latest(client, topic: "tx", isolation: 1) == 3)
            #expect(try await Self.latest(client, topic: "tx", isolation: 0) == 5)

            let abort = TransactionMarker(producerId: 100, producerEpoch: 0, commit: false, coordinatorEpoch: 0)
            #expect(await server.broker.writeMarkers(abort, partitions: [tp]).isEmpty)                          // 5
            let afterAbort = try await Self.fetch(client, topic: "tx", offset: 0, isolation: 1)
            #expect(try Self.offsets(afterAbort) == [0, 3, 5])
            #expect(afterAbort.abortedTransactions?.map { [$0.producerId, $0.firstOffset] } == [[100, 3]])

            let open = try await client.send(Self.transactionalProduce(["u"], pid: 101, seq: 0, topic: "tx"), version: 9)
            #expect(open.responses[0].partitionResponses[0].baseOffset == 6)                                    // 6, left open
            await client.close()
        }
        try await withServer(storage: try storage(), metadata: metadata) { server in
            server.broker.setTransactionVerifier(AlwaysInTransaction())
            let client = try await server.client()
            #expect(try await Self.latest(client, topic: "tx", isolation: 1) == 6, "producer 101's transaction is open after the restart")
            let read = try await Self.fetch(client, topic: "tx", offset: 0, isolation: 1)
            #expect(try Self.offsets(read) == [0, 3, 5])
            #expect(read.abortedTransactions?.map { [$0.producerId, $0.firstOffset] } == [[100, 3]],
                    "the aborted transaction is read back from the segment's .txnindex")
            let commit = TransactionMarker(producerId: 101, producerEpoch: 0, commit: true, coordinatorEpoch: 0)
            #expect(await server.broker.writeMarkers(commit, partitions: [tp]).isEmpty)                        // 7
            #expect(try await Self.latest(client, topic: "tx", isolation: 1) == 8)
            let all = try await Self.fetch(client, topic: "tx", offset: 6, isolation: 1)
            #expect(try Self.offsets(all) == [6, 7])
            #expect(all.abortedTransactions?.isEmpty == true)
            await client.close()
        }
    }
}
