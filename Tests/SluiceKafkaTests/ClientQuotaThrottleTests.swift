import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
@testable import SluiceKernel
import Testing

/// Client quotas enforced over real sockets: a client over its byte rate gets
/// `throttle_time_ms` in Produce and Fetch responses while another client id does not.
@Suite struct ClientQuotaThrottleTests {
    func setQuota(_ client: KafkaClient, clientId: String, _ key: String, _ value: Double) async throws {
        var request = AlterClientQuotasRequest()
        request.entries = [.init(entity: [ClientQuotaEntityData(entityType: "client-id", entityName: clientId)], ops: [.init(key: key, value: value)])]
        #expect(try await client.send(request).entries.first?.errorCode == 0)
    }

    func produce(_ client: KafkaClient, _ payload: ByteBuffer) async throws -> ProduceResponse {
        var partition = ProduceRequest.Partition()
        partition.index = 0
        partition.records = .bytes(payload)
        var topic = ProduceRequest.Topic()
        topic.name = "quota-t"
        topic.partitionData = [partition]
        var request = ProduceRequest()
        request.acks = 1
        request.timeoutMs = 10_000
        request.topicData = [topic]
        return try await client.send(request)
    }

    @Test func aProducerOverItsByteRateIsThrottledAndAnotherIsNot() async throws {
        try await withServer { server in
            let admin = try await server.client(id: "admin")
            try await admin.createTopic("quota-t", partitions: 1)
            try await setQuota(admin, clientId: "slow", "producer_byte_rate", 1_000)
            let slow = try await server.client(id: "slow"), fast = try await server.client(id: "fast")
            let batch = RecordBatchBuilder().build([Record(value: [UInt8](repeating: 7, count: 20_000), timestamp: 1_700_000_000_000)]).buffer
            // 20 KB against 1 KB/s: over the quota for the ten-second window at once.
            let throttled = try await produce(slow, batch)
            #expect(throttled.responses.first?.partitionResponses.first?.errorCode == 0, "the records are still appended")
            #expect(throttled.throttleTimeMs > 0)
            for _ in 0..<3 {
                #expect(try await produce(fast, batch).throttleTimeMs == 0, "a client id without a quota is never throttled")
            }
        }
    }

    @Test func aConsumerOverItsByteRateIsThrottled() async throws {
        try await withServer { server in
            let admin = try await server.client(id: "admin")
            try await admin.createTopic("quota-t", partitions: 1)
            let batch = RecordBatchBuilder().build([Record(value: [UInt8](repeating: 7, count: 30_000), timestamp: 1_700_000_000_000)]).buffer
            _ = try await produce(admin, batch)
            try await setQuota(admin, clientId: "reader", "consumer_byte_rate", 1_000)
            let reader = try await server.client(id: "reader")
            var request = FetchRequest()
            request.maxWaitMs = 0
            request.maxBytes = 1 << 20
            var partition = FetchRequest.Partition()
            partition.partition = 0
            partition.partitionMaxBytes = 1 << 20
            var topic = FetchRequest.Topic()
            topic.topic = "quota-t"
            topic.partitions = [partition]
            request.topics = [topic]
            let response = try await reader.send(request, version: 12)
            #expect(response.throttleTimeMs > 0, "30 KB against 1 KB/s")
        }
    }
}
