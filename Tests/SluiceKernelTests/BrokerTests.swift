import Foundation
import Logging
import NIOCore
import SluiceKernel
import SluiceMemory
import Testing

func makeBroker(_ configure: (inout BrokerConfig) -> Void = { _ in }, storage: any LogStorage = MemoryLogStorage(),
                metadata: any MetadataStore = MemoryMetadataStore(), clock: @escaping @Sendable () -> Date = { Date() }) async throws -> Broker {
    var config = BrokerConfig()
    configure(&config)
    let broker = Broker(config: config, storage: storage, metadata: metadata, logger: Logger(label: "test"), clock: clock)
    try await broker.start()
    return broker
}

func batchBytes(_ values: [String], timestamp: Int64 = 1_700_000_000_000, producer: (id: Int64, epoch: Int16, seq: Int32)? = nil) -> ByteBuffer {
    var builder = RecordBatchBuilder()
    if let producer {
        builder.producerId = producer.id
        builder.producerEpoch = producer.epoch
        builder.baseSequence = producer.seq
    }
    return builder.build(values.enumerated().map { Record(value: Array($0.element.utf8), timestamp: timestamp + Int64($0.offset)) }).buffer
}

func values(_ result: FetchPartitionResult) throws -> [String] {
    let read = try result.result.get()
    return try RecordBatch.parse(read.payload.load()).flatMap { try $0.records() }.map { String(decoding: $0.value ?? [], as: UTF8.self) }
}

@Suite("Broker")
struct BrokerTests {
    @Test func produceThenFetchReturnsRecordsInOrder() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("orders", partitions: 2)
        let first = try await broker.produce(to: TopicPartition("orders", 1), bytes: batchBytes(["a", "b"]))
        let second = try await broker.produce(to: TopicPartition("orders", 1), bytes: batchBytes(["c"]))
        #expect(first.firstOffset == 0 && first.lastOffset == 1)
        #expect(second.firstOffset == 2)
        let results = await broker.fetch(FetchRequest(partitions: [.init(TopicPartition("orders", 1), offset: 0, maxBytes: 1 << 20)],
                                                      maxWait: .zero, minBytes: 1, maxBytes: 1 << 20))
        #expect(try values(results[0]) == ["a", "b", "c"])
        #expect(results[0].highWatermark == 3)
    }

    /// The fetch may wait an hour; only the append can end it within the test's time limit.
    @Test(.timeLimit(.minutes(2))) func waitingFetchWakesWhenDataArrives() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("wake")
        let tp = TopicPartition("wake", 0)
        async let fetched = broker.fetch(FetchRequest(partitions: [.init(tp, offset: 0, maxBytes: 1 << 20)],
                                                      maxWait: .seconds(3600), minBytes: 1, maxBytes: 1 << 20))
        try await Task.sleep(for: .milliseconds(100))
        _ = try await broker.produce(to: tp, bytes: batchBytes(["late"]))
        let results = await fetched
        #expect(try values(results[0]) == ["late"])
    }

    @Test func fetchWithNothingToReadWaitsThenReturnsEmpty() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("quiet")
        let results = await broker.fetch(FetchRequest(partitions: [.init(TopicPartition("quiet", 0), offset: 0, maxBytes: 1000)],
                                                      maxWait: .milliseconds(50), minBytes: 1, maxBytes: 1000))
        #expect(try results[0].result.get().payload.byteCount == 0)
    }

    @Test func fetchErrorsPerPartition() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("known")
        _ = try await broker.produce(to: TopicPartition("known", 0), bytes: batchBytes(["x"]))
        let results = await broker.fetch(FetchRequest(partitions: [
            .init(TopicPartition("missing", 0), offset: 0, maxBytes: 100),
            .init(TopicPartition("known", 0), offset: 5, maxBytes: 100),
        ], maxWait: .zero, minBytes: 1, maxBytes: 1000))
        #expect(throws: BrokerError.unknownTopicOrPartition("missing", 0)) { try results[0].result.get() }
        #expect(throws: BrokerError.offsetOutOfRange(TopicPartition("known", 0), requested: 5, logStartOffset: 0, logEndOffset: 1)) {
            try results[1].result.get()
        }
    }

    @Test func listOffsetsByKindAndTimestamp() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("times")
        let tp = TopicPartition("times", 0)
        _ = try await broker.produce(to: tp, bytes: batchBytes(["a", "b", "c"], timestamp: 1000))   // offsets 0-2, ts 1000-1002
        _ = try await broker.produce(to: tp, bytes: batchBytes(["d"], timestamp: 9000))             // offset 3
        _ = try await broker.produce(to: tp, bytes: batchBytes(["e"], timestamp: 5000))             // offset 4
        #expect(try await broker.listOffset(tp, .earliest).offset == 0)
        #expect(try await broker.listOffset(tp, .latest).offset == 5)
        let mid = try await broker.listOffset(tp, .timestamp(1001))
        #expect(mid.offset == 1 && mid.timestamp == 1001, "record-level lookup inside an uncompressed batch")
        #expect(try await broker.listOffset(tp, .timestamp(20_000)).offset == -1)
        let max = try await broker.listOffset(tp, .maxTimestamp)
        #expect(max.offset == 3 && max.timestamp == 9000)
    }

    @Test func idempotentRetryIsNotAppendedTwice() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("idem")
        let tp = TopicPartition("idem", 0)
        let pid = await broker.allocateProducerId()
        let first = try await broker.produce(to: tp, bytes: batchBytes(["a", "b"], producer: (pid, 0, 0)))
        let retry = try await broker.produce(to: tp, bytes: batchBytes(["a", "b"], producer: (pid, 0, 0)))
        #expect(first.firstOffset == 0 && first.lastOffset == 1)
        #expect(retry.firstOffset == 0 && retry.lastOffset == 1, "a retry is answered with the original offsets")
        #expect(try await broker.listOffset(tp, .latest).offset == 2, "the retry must not be appended")
        await #expect(throws: BrokerError.outOfOrderSequence(tp, producerId: pid, expected: 2, received: 5)) {
            try await broker.produce(to: tp, bytes: batchBytes(["gap"], producer: (pid, 0, 5)))
        }
        _ = try await broker.produce(to: tp, bytes: batchBytes(["c"], producer: (pid, 0, 2)))
        _ = try await broker.produce(to: tp, bytes: batchBytes(["new epoch"], producer: (pid, 1, 0)))
        await #expect(throws: BrokerError.invalidProducerEpoch(producerId: pid, current: 1, received: 0)) {
            try await broker.produce(to: tp, bytes: batchBytes(["zombie"], producer: (pid, 0, 3)))
        }
    }

    /// A producer whose batch was written but not acknowledged before a crash retries it
    /// after the restart; the restarted broker must know the sequence from the log.
    @Test func idempotentRetryAfterRestartIsNotAppendedTwice() async throws {
        let storage = MemoryLogStorage()
        let metadata = MemoryMetadataStore()
        let tp = TopicPartition("idem-restart", 0)
        let before = try await makeBroker(storage: storage, metadata: metadata)
        try await before.createTopic(tp.topic)
        let pid = await before.allocateProducerId()
        _ = try await before.produce(to: tp, bytes: batchBytes(["a", "b"], producer: (pid, 0, 0)))
        let unacknowledged = try await before.produce(to: tp, bytes: batchBytes(["c"], producer: (pid, 0, 2)))

        let after = try await makeBroker(storage: storage, metadata: metadata)
        let retry = try await after.produce(to: tp, bytes: batchBytes(["c"], producer: (pid, 0, 2)))
        #expect(retry.firstOffset == unacknowledged.firstOffset, "the retry is answered with the original offset")
        #expect(try await after.listOffset(tp, .latest).offset == 3, "the retry must not be appended again")
        await #expect(throws: BrokerError.outOfOrderSequence(tp, producerId: pid, expected: 3, received: 7)) {
            try await after.produce(to: tp, bytes: batchBytes(["gap"], producer: (pid, 0, 7)))
        }
        _ = try await after.produce(to: tp, bytes: batchBytes(["d"], producer: (pid, 0, 3)))
        #expect(try await after.listOffset(tp, .latest).offset == 4)
    }

    @Test func topicAdminValidatesNamesCountsAndConfigs() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("fine.name_1-x", partitions: 3, configs: ["retention.ms": "1000"])
        await #expect(throws: BrokerError.topicAlreadyExists("fine.name_1-x")) { try await broker.createTopic("fine.name_1-x") }
        await #expect(throws: BrokerError.invalidTopic("bad/name", reason: "only ASCII letters, digits, '.', '_' and '-' are allowed")) {
            try await broker.createTopic("bad/name")
        }
        await #expect(throws: BrokerError.self) { try await broker.createTopic("zero", partitions: 0) }
        await #expect(throws: BrokerError.self) { try await broker.createTopic("cfg", configs: ["retention.ms": "soon"]) }
        await #expect(throws: BrokerError.self) { try await broker.createTopic("cfg", configs: ["no.such.key": "1"]) }
        let validated = try await broker.createTopic("only-validated", validateOnly: true)
        #expect(validated.partitionCount == 1)
        #expect(await broker.topic(named: "only-validated") == nil)
        try await broker.createPartitions("fine.name_1-x", total: 5)
        #expect(await broker.partition(TopicPartition("fine.name_1-x", 4)) != nil)
        await #expect(throws: BrokerError.self) { try await broker.createPartitions("fine.name_1-x", total: 2) }
        try await broker.deleteTopic("fine.name_1-x")
        #expect(await broker.topics().isEmpty)
    }

    @Test func autoCreateOnLookupOnlyWhenAllowed() async throws {
        let broker = try await makeBroker { $0.defaultPartitions = 3 }
        let created = await broker.lookupTopics(["auto"], allowAutoCreate: true)
        #expect(try created[0].1.get().partitionCount == 3)
        let refused = await broker.lookupTopics(["other"], allowAutoCreate: false)
        #expect(throws: BrokerError.unknownTopicOrPartition("other", nil)) { try refused[0].1.get() }
        let off = try await makeBroker { $0.autoCreateTopics = false }
        let none = await off.lookupTopics(["auto"], allowAutoCreate: true)
        #expect(throws: BrokerError.unknownTopicOrPartition("auto", nil)) { try none[0].1.get() }
    }

    @Test func perTopicMaxMessageBytes() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("small", configs: ["max.message.bytes": "100"])
        let bytes = batchBytes([String(repeating: "x", count: 200)])
        await #expect(throws: BrokerError.messageTooLarge(size: bytes.readableBytes, limit: 100)) {
            try await broker.produce(to: TopicPartition("small", 0), bytes: bytes)
        }
    }

    @Test func retentionUsesTopicOverridesAndTheClock() async throws {
        let storage = MemoryLogStorage(defaultLogConfig: PartitionLogConfig(segmentBytes: 1024))
        let broker = try await makeBroker(storage: storage, clock: { Date(timeIntervalSince1970: 1_000_000) })
        try await broker.createTopic("short", configs: ["retention.ms": "60000", "segment.bytes": "1024"])
        try await broker.createTopic("forever")
        for topic in ["short", "forever"] {
            for _ in 0..<10 {
                _ = try await broker.produce(to: TopicPartition(topic, 0), bytes: batchBytes([String(repeating: "y", count: 300)], timestamp: 1000))
            }
        }
        let deleted = await broker.applyRetention()
        #expect(deleted > 0)
        #expect(try await broker.listOffset(TopicPartition("short", 0), .earliest).offset > 0)
        #expect(try await broker.listOffset(TopicPartition("forever", 0), .earliest).offset == 0)
    }

    @Test func restartReloadsTopicsAndReportsMissingData() async throws {
        let metadata = MemoryMetadataStore()
        let first = try await makeBroker(metadata: metadata)
        try await first.createTopic("kept", partitions: 2)
        // New, empty storage over the same registry: the data is "missing".
        let second = try await makeBroker(storage: MemoryLogStorage(), metadata: metadata)
        #expect(await second.topic(named: "kept")?.partitionCount == 2)
        #expect(await second.startupReport.missingPartitions == [TopicPartition("kept", 0), TopicPartition("kept", 1)])
    }

    @Test func orphanDataIsReportedNotDeleted() async throws {
        let storage = MemoryLogStorage()
        _ = try await storage.open(TopicPartition("ghost", 0), config: PartitionLogConfig()).append([RecordBatchBuilder().build([Record(value: [1], timestamp: 0)])])
        let broker = try await makeBroker(storage: storage)
        #expect(await broker.startupReport.orphanPartitions == [TopicPartition("ghost", 0)])
        #expect(try await storage.storedPartitions().contains(TopicPartition("ghost", 0)))
    }
}
