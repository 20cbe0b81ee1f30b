import Foundation
import KafkaWire
import NIOCore
import SluiceKafkaClient
import SluiceKernel
import Testing

/// A record without a key sent to a compacted topic, on the wire: INVALID_RECORD for every
/// Produce version; v8+ also carries the refused records' indexes and Kafka's message.
@Suite struct CompactedProduceWireTests {
    static func request(_ keys: [String?]) -> ProduceRequest {
        var data = ProduceRequest.Partition()
        data.records = .bytes(RecordBatchBuilder().build(keys.map {
            Record(key: $0.map { Array($0.utf8) }, value: Array("v".utf8), timestamp: 1_700_000_000_000)
        }).buffer)
        var topic = ProduceRequest.Topic()
        topic.name = "state"
        topic.partitionData = [data]
        var request = ProduceRequest()
        request.acks = 1
        request.topicData = [topic]
        return request
    }

    @Test(arguments: [Int16(3), 7, 8, 11])
    func recordWithoutKeyIsInvalidRecord(version: Int16) async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("state", configs: ["cleanup.policy": "compact"])
            let response = try await client.send(Self.request(["k", nil, nil]), version: version)
            let partition = try #require(response.responses.first?.partitionResponses.first)
            #expect(partition.errorCode == KafkaErrorCode.invalidRecord.rawValue)
            #expect(partition.baseOffset == -1)
            if version >= 8 {
                #expect(partition.recordErrors.map(\.batchIndex) == [1, 2])
                #expect(partition.recordErrors.first?.batchIndexErrorMessage
                        == "Compacted topic cannot accept message without key in topic partition state-0.")
                #expect(partition.errorMessage?.hasPrefix("One or more records have been rejected due to 2 record errors") == true)
            } else {
                #expect(partition.recordErrors.isEmpty && partition.errorMessage == nil, "v\(version) carries neither")
            }
            let accepted = try await client.send(Self.request(["k"]), version: version)
            #expect(accepted.responses.first?.partitionResponses.first?.errorCode == 0)
            #expect(accepted.responses.first?.partitionResponses.first?.baseOffset == 0, "the refused batch took no offsets")
            await client.close()
        }
    }
}
