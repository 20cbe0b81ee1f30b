import Foundation
import Logging
import NIOCore
import SluiceKernel
import SluiceMemory
import Testing

/// A compacted topic keeps the latest record per key, so records without a key are refused
/// as Kafka refuses them: INVALID_RECORD naming each record, and nothing of the batch appended.
@Suite struct CompactedProduceTests {
    static func batch(_ keys: [String?], compression: RecordBatch.Compression = .none) -> ByteBuffer {
        var buffer = RecordBatchBuilder().build(keys.enumerated().map {
            Record(key: $0.element.map { Array($0.utf8) }, value: Array("v\($0.offset)".utf8), timestamp: 1_700_000_000_000)
        }).buffer
        guard compression != .none else { return buffer }
        // The codec bits only: with an identity "decompressor" the body reads as it is.
        let attributes: Int16 = buffer.getInteger(at: 21)!
        buffer.setInteger(attributes | compression.rawValue, at: 21)
        var parsed = try! RecordBatch.parse(buffer, verifyCRC: false)[0]
        buffer.setInteger(parsed.computeCRC(), at: 17)
        parsed = try! RecordBatch.parse(buffer)[0]
        return parsed.buffer
    }

    @Test(arguments: ["compact", "compact,delete", "delete, compact"])
    func recordWithoutKeyIsRefusedAndNothingAppended(policy: String) async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("c", configs: ["cleanup.policy": policy])
        let tp = TopicPartition("c", 0)
        let message = "Compacted topic cannot accept message without key in topic partition c-0."
        await #expect(throws: BrokerError.recordsRejected(tp, [RecordRejection(batchIndex: 1, message: message),
                                                                RecordRejection(batchIndex: 3, message: message)])) {
            try await broker.produce(to: tp, bytes: Self.batch(["a", nil, "b", nil]))
        }
        #expect(try await broker.listOffset(tp, .latest).offset == 0, "nothing of the refused batch was appended")
        _ = try await broker.produce(to: tp, bytes: Self.batch(["a", "b"]))
        #expect(try await broker.listOffset(tp, .latest).offset == 2)
    }

    @Test func theMessageIsKafkas() {
        let error = BrokerError.recordsRejected(TopicPartition("c", 0), [RecordRejection(batchIndex: 0, message: "m")])
        #expect(error.description == "One or more records have been rejected due to 1 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=0, message='m')]")
    }

    @Test func deleteTopicsTakeRecordsWithoutKey() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("d", configs: ["cleanup.policy": "delete"])
        _ = try await broker.produce(to: TopicPartition("d", 0), bytes: Self.batch([nil, nil]))
        #expect(try await broker.listOffset(TopicPartition("d", 0), .latest).offset == 2)
    }

    /// Compressed batches are read through the decompressor the composition root passes;
    /// without one a compacted topic cannot check them and refuses them.
    @Test func compressedBatchesAreCheckedThroughTheDecompressor() async throws {
        let tp = TopicPartition("c", 0)
        let keyless = Self.batch(["a", nil], compression: .gzip)
        let keyed = Self.batch(["a", "b"], compression: .gzip)

        let checking = Broker(config: BrokerConfig(), storage: MemoryLogStorage(), metadata: MemoryMetadataStore(),
                              logger: Logger(label: "test"), codec: IdentityCodec())
        try await checking.start()
        try await checking.createTopic("c", configs: ["cleanup.policy": "compact"])
        await #expect(throws: BrokerError.recordsRejected(tp, [RecordRejection(
            batchIndex: 1, message: "Compacted topic cannot accept message without key in topic partition c-0.")])) {
            try await checking.produce(to: tp, bytes: keyless)
        }
        _ = try await checking.produce(to: tp, bytes: keyed)
        #expect(try await checking.listOffset(tp, .latest).offset == 2)

        let blind = try await makeBroker()
        try await blind.createTopic("c", configs: ["cleanup.policy": "compact"])
        await #expect(throws: BrokerError.invalidRecord(.unsupportedCompression(.gzip))) {
            try await blind.produce(to: tp, bytes: keyed)
        }
    }

    /// Setting compact on an existing topic applies to the next produce.
    @Test func alteringToCompactAppliesToTheNextProduce() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("t")
        let tp = TopicPartition("t", 0)
        _ = try await broker.produce(to: tp, bytes: Self.batch([nil]))
        try await broker.alterTopicConfigs("t", set: ["cleanup.policy": "compact"])
        await #expect(throws: BrokerError.self) { try await broker.produce(to: tp, bytes: Self.batch([nil])) }
        #expect(try await broker.listOffset(tp, .latest).offset == 1)
    }
}

/// Reads a "compressed" body as it is: enough to prove the codec is used.
struct IdentityCodec: RecordBatchCodec {
    func decompress(_ compression: RecordBatch.Compression, _ body: ByteBuffer) throws -> ByteBuffer { body }
    func compress(_ compression: RecordBatch.Compression, _ body: ByteBuffer) throws -> ByteBuffer { body }
}
