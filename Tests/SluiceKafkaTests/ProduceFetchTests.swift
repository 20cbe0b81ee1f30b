import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

@Suite struct ProduceFetchTests {
    @Test func advertisesTheImplementedRangesWithProduceFromZero() async throws {
        try await withServer { server in
            let client = try await server.client()
            defer { Task { await client.close() } }
            #expect(client.brokerVersions[.produce] == 0...11)
            #expect(client.brokerVersions[.fetch] == 4...17)
            #expect(client.brokerVersions[.apiVersions] == 0...4)
            #expect(client.brokerVersions[.metadata] == 0...12)
            #expect(client.brokerVersions[.listOffsets] == 0...9)
            #expect(client.brokerVersions[.initProducerId] == 0...5)
            #expect(client.brokerVersions[.findCoordinator] == 0...6) // served by the group handlers
        }
    }

    @Test func producedRecordsAreFetchedBackWithOffsets() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("orders", partitions: 2)
            #expect(try await client.produce(topic: "orders", partition: 1, records: sampleRecords(3)) == 0)
            #expect(try await client.produce(topic: "orders", partition: 1, records: sampleRecords(2, prefix: "w")) == 3)
            let fetched = try await client.fetch(topic: "orders", partition: 1, offset: 0)
            let records = try fetched.records()
            #expect(records.map(\.offset) == [0, 1, 2, 3, 4])
            #expect(records.map { String(decoding: $0.value!, as: UTF8.self) } == ["v0", "v1", "v2", "w0", "w1"])
            #expect(fetched.highWatermark == 5)
            #expect(try await client.listOffset(topic: "orders", partition: 1, .earliest).offset == 0)
            #expect(try await client.listOffset(topic: "orders", partition: 1, .latest).offset == 5)
            let byTime = try await client.listOffset(topic: "orders", partition: 1, .timestamp(1_700_000_000_001))
            #expect(byTime.offset == 1 && byTime.timestamp == 1_700_000_000_001)
            #expect(try await client.listOffset(topic: "orders", partition: 1, .maxTimestamp).offset == 2)
            await client.close()
        }
    }

    @Test func fetchErrorsArePerPartition() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("short")
            try await client.produce(topic: "short", partition: 0, records: sampleRecords(2))
            await #expect(throws: KafkaClientError.self) { try await client.fetch(topic: "short", partition: 0, offset: 9) }
            do {
                _ = try await client.fetch(topic: "short", partition: 0, offset: 9)
            } catch KafkaClientError.broker(let code, _, _) {
                #expect(code == .offsetOutOfRange)
            }
            do {
                _ = try await client.fetch(topic: "nope", partition: 0, offset: 0, maxWaitMs: 10)
            } catch KafkaClientError.broker(let code, _, _) {
                #expect(code == .unknownTopicOrPartition)
            }
            await client.close()
        }
    }

    @Test func longPollFetchWakesOnAppendWellBeforeMaxWait() async throws {
        try await withServer { server in
            let consumer = try await server.client(id: "consumer")
            let producer = try await server.client(id: "producer")
            try await producer.createTopic("wake")
            let start = ContinuousClock.now
            async let fetched = consumer.fetch(topic: "wake", partition: 0, offset: 0, maxWaitMs: 60_000)
            try await Task.sleep(for: .milliseconds(200))
            try await producer.produce(topic: "wake", partition: 0, records: sampleRecords(1))
            let records = try await fetched.records()
            let elapsed = ContinuousClock.now - start
            #expect(records.count == 1)
            // Loose bound (the suite runs in parallel on 2 cores); a missed wake-up waits 60 s.
            #expect(elapsed < .seconds(30), "the fetch waited \(elapsed) although data arrived after 200 ms")
            await consumer.close()
            await producer.close()
        }
    }

    @Test func acksZeroGetsNoResponseButAppends() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("quiet")
            #expect(try await client.produce(topic: "quiet", partition: 0, batches: RecordBatchBuilder().build(sampleRecords(4)).buffer, acks: 0) == -1)
            // The next request's answer proves nothing was sent for the acks=0 one.
            #expect(try await client.listOffset(topic: "quiet", partition: 0, .latest).offset == 4)
            await client.close()
        }
    }

    @Test func acksZeroFailureClosesTheConnection() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.produce(topic: "missing", partition: 0, batches: RecordBatchBuilder().build(sampleRecords(1)).buffer, acks: 0)
            await #expect(throws: KafkaClientError.self) { _ = try await client.metadata(topics: []) }
            await client.close()
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("pipe")
            let offsets = try await withThrowingTaskGroup(of: (Int, Int64).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        (index, try await client.produce(topic: "pipe", partition: 0, records: sampleRecords(1, prefix: "\(index)-")))
                    }
                }
                return try await group.reduce(into: [Int: Int64]()) { $0[$1.0] = $1.1 }
            }
            #expect(Set(offsets.values) == Set(0..<50))
            await client.close()
        }
    }

    @Test func produceV2IsAnsweredWithUnsupportedVersion() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("old")
            var data = ProduceRequest.Partition()
            data.records = .bytes(ByteBuffer(bytes: [0, 1, 2]))
            var topic = ProduceRequest.Topic()
            topic.name = "old"
            topic.partitionData = [data]
            var request = ProduceRequest()
            request.acks = 1
            request.topicData = [topic]
            let response = try await client.send(request, version: 2)
            #expect(response.responses.first?.partitionResponses.first?.errorCode == KafkaErrorCode.unsupportedVersion.rawValue)
            await client.close()
        }
    }

    @Test func idempotentRetriesAreDeduplicatedAndGapsRefused() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("idem")
            let (pid, epoch) = try await client.initProducerId()
            var builder = RecordBatchBuilder()
            builder.producerId = pid
            builder.producerEpoch = epoch
            builder.baseSequence = 0
            let first = builder.build(sampleRecords(3)).buffer
            #expect(try await client.produce(topic: "idem", partition: 0, batches: first) == 0)
            #expect(try await client.produce(topic: "idem", partition: 0, batches: first) == 0)
            builder.baseSequence = 7
            do {
                try await client.produce(topic: "idem", partition: 0, batches: builder.build(sampleRecords(1)).buffer)
                Issue.record("a sequence gap was accepted")
            } catch KafkaClientError.broker(let code, _, _) {
                #expect(code == .outOfOrderSequenceNumber)
            }
            #expect(try await client.listOffset(topic: "idem", partition: 0, .latest).offset == 3)
            await client.close()
        }
    }

    @Test func fetchV13AddressesTopicsById() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("by-id")
            try await client.produce(topic: "by-id", partition: 0, records: sampleRecords(2))
            let id = try #require(await server.broker.topic(named: "by-id")?.id)
            var partition = FetchRequest.Partition()
            partition.partitionMaxBytes = 1 << 20
            var topic = FetchRequest.Topic()
            topic.topicId = id
            topic.partitions = [partition]
            var unknown = FetchRequest.Topic()
            unknown.topicId = UUID()
            unknown.partitions = [partition]
            var request = FetchRequest()
            request.topics = [topic, unknown]
            let response = try await client.send(request, version: 16)
            #expect(response.responses.map(\.topicId) == [id, unknown.topicId])
            let records = try RecordBatch.parse(try #require(response.responses[0].partitions[0].records).load())
            #expect(records.map(\.recordCount) == [2])
            #expect(response.responses[1].partitions[0].errorCode == KafkaErrorCode.unknownTopicId.rawValue)
            await client.close()
        }
    }

    @Test func logAppendTimeIsReportedAsStamped() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("stamped", configs: ["message.timestamp.type": "LogAppendTime"])
            var data = ProduceRequest.Partition()
            data.records = .bytes(RecordBatchBuilder().build(sampleRecords(2)).buffer)
            var topic = ProduceRequest.Topic()
            topic.name = "stamped"
            topic.partitionData = [data]
            var request = ProduceRequest()
            request.acks = -1
            request.topicData = [topic]
            let response = try await client.send(request)
            let stamped = try #require(response.responses.first?.partitionResponses.first?.logAppendTimeMs)
            #expect(stamped > 1_700_000_000_000)
            let batch = try #require(try RecordBatch.parse(try await client.fetch(topic: "stamped", partition: 0, offset: 0).batches).first)
            #expect(batch.timestampType == .logAppendTime && batch.maxTimestamp == stamped)
            await client.close()
        }
    }
}
