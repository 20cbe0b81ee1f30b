import Foundation
import Logging
import NIOCore
import SluiceKernel
import SluiceMemory
import Testing

/// The kernel's log cleaner over the memory plugin: it compacts the partitions of
/// compacted topics that are due, leaves other topics alone, and fetches that start in a
/// removed range return the next batch.
@Suite struct LogCleanerTests {
    static func keyed(_ pairs: [(String, String?)]) -> ByteBuffer {
        RecordBatchBuilder().build(pairs.map {
            Record(key: Array($0.0.utf8), value: $0.1.map { Array($0.utf8) }, timestamp: 1_700_000_000_000)
        }).buffer
    }

    static func latestValues(_ broker: Broker, _ tp: TopicPartition, from offset: Int64 = 0) async throws -> (values: [String: String], offsets: [Int64]) {
        let read = await broker.fetch(.init(partitions: [.init(tp, offset: offset, maxBytes: 1 << 24)], maxWait: .zero, minBytes: 0, maxBytes: 1 << 24))
        var values: [String: String] = [:]
        var offsets: [Int64] = []
        for batch in try RecordBatch.parse(try read[0].result.get().payload.load()) {
            for record in try batch.records() {
                offsets.append(record.offset)
                values[String(decoding: record.key ?? [], as: UTF8.self)] = String(decoding: record.value ?? [], as: UTF8.self)
            }
        }
        return (values, offsets)
    }

    /// 20 batches of 10 records over 10 keys in small segments: most is dirty and removable.
    static func fill(_ broker: Broker, _ tp: TopicPartition) async throws {
        for round in 0..<20 {
            _ = try await broker.produce(to: tp, bytes: keyed((0..<10).map { ("k\($0)", "r\(round)") }))
        }
    }

    @Test func compactsDueLogsAndLeavesOthers() async throws {
        let storage = MemoryLogStorage(defaultLogConfig: PartitionLogConfig(segmentBytes: 512))
        let broker = try await makeBroker(storage: storage)
        try await broker.createTopic("state", configs: ["cleanup.policy": "compact", "segment.bytes": "512"])
        try await broker.createTopic("both", configs: ["cleanup.policy": "compact,delete", "segment.bytes": "512"])
        try await broker.createTopic("plain", configs: ["segment.bytes": "512"])
        for topic in ["state", "both", "plain"] { try await Self.fill(broker, TopicPartition(topic, 0)) }

        let targets = await broker.compactionTargets().map(\.partition.topicPartition)
        #expect(targets == [TopicPartition("both", 0), TopicPartition("state", 0)], "only compacted topics")

        let cleaner = LogCleaner(broker: broker, logger: Logger(label: "test"))
        let pass = await cleaner.runOnce()
        #expect(pass.logsChecked == 2 && pass.logsCleaned == 2 && pass.failures == 0, "\(pass)")
        #expect(pass.recordsRemoved > 0 && pass.bytesRead > 0)

        for topic in ["state", "both"] {
            let (values, offsets) = try await Self.latestValues(broker, TopicPartition(topic, 0))
            #expect(values == Dictionary(uniqueKeysWithValues: (0..<10).map { ("k\($0)", "r19") }), "every key's latest value")
            #expect(offsets.count < 200, "\(topic) lost its overwritten records")
            #expect(offsets == offsets.sorted() && offsets.last == 199, "offsets keep their values, with gaps")
        }
        let (_, plain) = try await Self.latestValues(broker, TopicPartition("plain", 0))
        #expect(plain.count == 200, "a delete-only topic is not compacted")
        #expect(try await broker.listOffset(TopicPartition("state", 0), .latest).offset == 200)
        #expect(try await broker.listOffset(TopicPartition("state", 0), .earliest).offset == 0, "the log start does not move")

        let again = await cleaner.runOnce()
        #expect(again.logsCleaned == 0, "a clean log is not due: \(again)")
    }

    /// A fetch position inside a range the cleaner removed returns the next batch.
    @Test func aFetchInsideARemovedRangeAdvances() async throws {
        let storage = MemoryLogStorage(defaultLogConfig: PartitionLogConfig(segmentBytes: 512))
        let broker = try await makeBroker(storage: storage)
        let tp = TopicPartition("state", 0)
        try await broker.createTopic("state", configs: ["cleanup.policy": "compact", "segment.bytes": "512"])
        try await Self.fill(broker, tp)
        _ = await LogCleaner(broker: broker, logger: Logger(label: "test")).runOnce()
        let (_, kept) = try await Self.latestValues(broker, tp)
        let removed = try #require((0..<200).first { !kept.contains($0) && $0 > 0 }, "the cleaner removed something")
        let (_, fromRemoved) = try await Self.latestValues(broker, tp, from: removed)
        let next = try #require(kept.first { $0 > removed })
        #expect(fromRemoved.first(where: { $0 >= removed }) == next, "the consumer moves on to the next kept record")
    }

    @Test func configDefaultsAndValidation() throws {
        #expect(BrokerConfig().logCleanerIntervalMs == 15_000 && BrokerConfig().logCleanerEnabled)
        var config = BrokerConfig()
        config.logCleanerIntervalMs = 10
        #expect(config.validate().contains { $0.keyPath == "logCleanerIntervalMs" })
    }
}
