import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SluiceKernel
import Testing
@testable import SluiceFileSink

/// The plugin boundary: the file sink runs on a fake kernel (no `Broker`, no storage, no
/// metadata store), because all it is given is `ConnectorServices`.
@Suite("file sink on a fake kernel")
struct FakeKernelTests {
    @Test func sinksWhatTheFakeReaderReturnsAndStoresItsPositionInTheFake() async throws {
        let harness = try await SinkHarness()
        let kernel = FakeKernel(values: ["alpha", "beta", "gamma"])
        let services = ConnectorServices(settings: KernelSettings(broker: BrokerConfig(), defaultLogConfig: PartitionLogConfig(),
                                                                  defaultRetention: RetentionPolicy()),
                                         appender: kernel, reader: kernel, topics: kernel, positions: kernel)
        let connector = FileSinkConnector(settings: harness.settings(["logs"]), services: services, logger: harness.logger)
        let group = ServiceGroup(configuration: .init(services: [connector], logger: Logger(label: "group", factory: { _ in SwiftLogNoOpLogHandler() })))
        let task = Task { try await group.run() }

        let deadline = ContinuousClock.now + .seconds(60)
        while await kernel.storedNextOffset() != 3 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        await group.triggerGracefulShutdown()
        try await task.value

        #expect(await kernel.storedNextOffset() == 3, "the position went to the fake's store\n\(harness.logText)")
        #expect(try harness.lines(TopicPartition("logs", 0)) == ["alpha", "beta", "gamma"])
        #expect(await kernel.fetches > 0)
    }
}

/// One topic "logs" with one partition holding one batch; positions in a dictionary.
/// Everything the sink does not use throws.
actor FakeKernel: RecordAppender, RecordReader, TopicAdministration, ConnectorPositionStore {
    let record = TopicRecord(name: "logs", partitionCount: 1)
    let batch: RecordBatch
    private(set) var fetches = 0
    private var positions: [String: [String: String]] = [:]

    init(values: [String]) {
        batch = RecordBatchBuilder().build(values.enumerated().map {
            Record(key: nil, value: Array($0.element.utf8), timestamp: 1_700_000_000_000 + Int64($0.offset))
        })
    }

    func storedNextOffset() -> Int64? {
        guard let value = positions["archive"]?["logs-0"] else { return nil }
        return try? SinkPosition.decode(value, key: "logs-0").nextOffset
    }

    // RecordReader
    func describeProducers(_ tp: TopicPartition) async throws(BrokerError) -> [ProducerState] { [] }

    func fetch(_ request: FetchRequest) async -> [FetchPartitionResult] {
        fetches += 1
        let end = batch.lastOffset + 1
        var results: [FetchPartitionResult] = []
        for spec in request.partitions {
            let payload: ByteBuffer
            if spec.offset < end {
                payload = batch.buffer
            } else {
                // The long poll: nothing new arrives, so wait out (a short slice of) maxWait.
                try? await Task.sleep(for: min(request.maxWait, .milliseconds(20)))
                payload = ByteBuffer()
            }
            results.append(FetchPartitionResult(topicPartition: spec.topicPartition,
                                                result: .success(LogReadResult(payload: .bytes(payload), logStartOffset: 0, logEndOffset: end)),
                                                highWatermark: end, logStartOffset: 0))
        }
        return results
    }

    nonisolated var fetchChangeGeneration: UInt64 { 0 }

    /// Nothing ever changes here: waits out the deadline.
    nonisolated func waitForFetchChanges(after generation: UInt64, until deadline: ContinuousClock.Instant) async {
        try? await Task.sleep(until: deadline, clock: .continuous)
    }

    func listOffset(_ tp: TopicPartition, _ spec: OffsetSpec) async throws(BrokerError) -> (offset: Int64, timestamp: Int64) {
        spec == .earliest ? (0, -1) : (batch.lastOffset + 1, -1)
    }

    func checkLeader(_ tp: TopicPartition, currentLeaderEpoch: Int32) async throws(BrokerError) -> Int32 { -1 }

    func offsetForLeaderEpoch(_ tp: TopicPartition, currentLeaderEpoch: Int32,
                              leaderEpoch: Int32) async throws(BrokerError) -> (leaderEpoch: Int32, endOffset: Int64) {
        throw .unknownTopicOrPartition(tp.topic, tp.partition)
    }

    func browse(_ tp: TopicPartition, from offset: Int64, maxBytes: Int) async throws(BrokerError) -> LogReadResult {
        throw .unknownTopicOrPartition(tp.topic, tp.partition)
    }

    // TopicAdministration
    func topics() async -> [TopicRecord] { [record] }
    func topic(named name: String) async -> TopicRecord? { name == record.name ? record : nil }

    func lookupTopics(_ names: [String]?, allowAutoCreate: Bool) async -> [(String, Result<TopicRecord, BrokerError>)] {
        (names ?? [record.name]).map { name in (name, name == record.name ? .success(record) : .failure(.unknownTopicOrPartition(name, nil))) }
    }

    func createTopic(_ name: String, partitions: Int32?, configs: [String: String], replicationFactor: Int32?,
                     assignment: [[Int32]]?, validateOnly: Bool) async throws(BrokerError) -> TopicRecord {
        throw .invalidConfig("the fake kernel creates no topics")
    }

    func deleteTopic(_ name: String) async throws(BrokerError) { throw .invalidConfig("the fake kernel deletes no topics") }

    func createPartitions(_ name: String, total: Int32, assignment: [[Int32]]?, validateOnly: Bool) async throws(BrokerError) {
        throw .invalidConfig("the fake kernel adds no partitions")
    }

    func alterTopicConfigs(_ name: String, set changes: [String: String?], validateOnly: Bool) async throws(BrokerError) {
        throw .invalidConfig("the fake kernel alters no configs")
    }

    func resolveListChange(topic name: String, config: String, append items: [String]?,
                           subtract removed: [String]?) async throws(BrokerError) -> String {
        throw .invalidConfig("the fake kernel alters no configs")
    }

    func deleteRecords(_ tp: TopicPartition, before offset: Int64) async throws(BrokerError) -> Int64 {
        throw .invalidConfig("the fake kernel deletes no records")
    }

    // RecordAppender
    func produce(to tp: TopicPartition, bytes: ByteBuffer, acks: Int16) async throws(BrokerError) -> LogAppendInfo {
        throw .invalidConfig("the fake kernel takes no appends")
    }

    func awaitReplication(of info: LogAppendInfo, in tp: TopicPartition, deadline: ContinuousClock.Instant,
                          timeoutMs: Int64) async throws(BrokerError) {}

    func append(_ batches: [RecordBatch], to tp: TopicPartition, createTopic: Bool) async throws(BrokerError) -> LogAppendInfo {
        throw .invalidConfig("the fake kernel takes no appends")
    }

    func allocateProducerId() async -> Int64 { 1 }

    func writeMarkers(_ marker: TransactionMarker, partitions: [TopicPartition]) async -> [TopicPartition: BrokerError] {
        Dictionary(uniqueKeysWithValues: partitions.map { ($0, .unknownTopicOrPartition($0.topic, $0.partition)) })
    }

    // ConnectorPositionStore
    func connectorPositions(connector: String) async throws -> [String: String] { positions[connector] ?? [:] }

    func setConnectorPositions(connector: String, _ positions: [String: String]) async throws {
        self.positions[connector, default: [:]].merge(positions) { _, new in new }
    }
}
