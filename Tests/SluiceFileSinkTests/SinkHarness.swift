import Foundation
import InMemoryLogging
import Logging
import NIOCore
import ServiceLifecycle
import SluiceKernel
import SluiceMemory
import Testing
@testable import SluiceFileSink

/// A broker on in-memory plugins, a temporary sink directory with real files, and ways
/// to run, stop and crash a file sink against them. The broker and metadata store
/// outlive each sink run, as durable plugins outlive a process restart.
final class SinkHarness: Sendable {
    let broker: Broker
    let root: String
    let logs = InMemoryLogHandler()

    init(brokerConfig: (inout BrokerConfig) -> Void = { _ in }) async throws {
        var config = BrokerConfig()
        brokerConfig(&config)
        broker = Broker(config: config, storage: MemoryLogStorage(), metadata: MemoryMetadataStore(),
                        logger: Logger(label: "broker", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await broker.start()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("file-sink-\(UUID().uuidString)").path
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    var logger: Logger {
        let handler = logs
        return Logger(label: "file-sink", factory: { _ in handler })
    }

    /// Settings for a sink named "archive" writing under `root`, flushing every 50 ms.
    func settings(_ topics: [String], _ configure: (inout FileSinkConfiguration) -> Void = { _ in }) -> SinkSettings {
        var config = FileSinkConfiguration(topics: topics, path: root)
        config.flushIntervalMs = 50
        config.topicCheckIntervalMs = 100
        configure(&config)
        #expect(config.validate().isEmpty, "test configuration is invalid: \(config.validate())")
        var settings = SinkSettings(config, name: "archive", dataDirectory: URL(fileURLWithPath: root))
        settings.retryBackoff = (.milliseconds(20), .milliseconds(200))
        return settings
    }

    /// Starts a sink in a service group.
    func start(_ settings: SinkSettings) -> RunningSink {
        let connector = FileSinkConnector(settings: settings, services: ConnectorServices(broker: broker), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [connector], logger: Logger(label: "group", factory: { _ in SwiftLogNoOpLogHandler() })))
        return RunningSink(group: group, task: Task { try await group.run() })
    }

    /// Appends `count` records to `tp` in batches of `batchSize`; values are
    /// `"<topic>-<partition>-<index>"` with `prefix` before the index.
    func produce(_ tp: TopicPartition, count: Int, from first: Int = 0, batchSize: Int = 500,
                 value: (Int) -> [UInt8]? = { Array("record-\($0)".utf8) }) async throws {
        var index = first
        while index < first + count {
            let end = min(first + count, index + batchSize)
            let records = (index..<end).map { Record(key: Array("k\($0)".utf8), value: value($0), timestamp: 1_700_000_000_000 + Int64($0)) }
            _ = try await broker.append([RecordBatchBuilder().build(records)], to: tp)
            index = end
        }
    }

    /// The stored position of `tp`, if any.
    func position(_ tp: TopicPartition) async throws -> SinkPosition? {
        try await PositionStore(store: broker, connector: "archive").load(tp)
    }

    /// Waits until the stored position of every partition reaches `offset`.
    func waitForPosition(_ partitions: [TopicPartition], _ offset: Int64, timeout: Duration = .seconds(300)) async throws {
        let deadline = ContinuousClock.now + timeout
        for tp in partitions {
            while (try await position(tp))?.nextOffset ?? -1 < offset {
                guard ContinuousClock.now < deadline else {
                    Issue.record("\(tp) did not reach offset \(offset) within \(timeout); at \(String(describing: try await position(tp)))\n\(logText)")
                    return
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// The names of a partition's sink files, sorted.
    func files(_ tp: TopicPartition) -> [String] {
        let dir = "\(root)/\(tp.topic)/\(tp.partition)"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".log") }.sorted()
    }

    /// The concatenated bytes of a partition's files, in name order.
    func contents(_ tp: TopicPartition) throws -> [UInt8] {
        try files(tp).flatMap { name in
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(root)/\(tp.topic)/\(tp.partition)/\(name)")))
        }
    }

    /// The lines of a partition's files (without the newlines).
    func lines(_ tp: TopicPartition) throws -> [String] {
        let text = String(decoding: try contents(tp), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    var logText: String {
        logs.entries.map { "[\($0.level)] \($0.message)" }.joined(separator: "\n")
    }
}

/// A sink running in its own service group.
struct RunningSink {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// Graceful shutdown: the sink flushes and stores its positions.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Cancels the sink mid-work, as a crash stops it: nothing more is flushed or stored.
    func crash() async {
        task.cancel()
        _ = try? await task.value
    }
}
