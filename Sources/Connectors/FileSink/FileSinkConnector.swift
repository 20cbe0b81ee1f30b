import Logging
import ServiceLifecycle
import SluiceKernel

/// The `file-sink` service: one `PartitionSink` task per partition of the configured
/// topics, plus a watcher that starts sinks for partitions and topics that appear later.
///
/// New partitions are found by looking at the broker's topics every
/// `topicCheckInterval` (a cheap actor call); records themselves are never polled for —
/// each partition's fetch waits on the broker until an append wakes it.
public struct FileSinkConnector: Connector {
    public let name: String
    let services: ConnectorServices
    let settings: SinkSettings
    let logger: Logger

    public init(settings: SinkSettings, services: ConnectorServices, logger: Logger) {
        self.name = settings.connectorName
        self.services = services
        self.settings = settings
        self.logger = logger
    }

    private enum Event: Sendable {
        case check
        case finished(TopicPartition)
    }

    /// Sinks until graceful shutdown (every partition flushes and stores its position)
    /// or cancellation (every partition stops at once; recovery handles the tail).
    public func run() async throws {
        logger.info("file sink running", metadata: ["topics": "\(settings.topics)", "path": "\(settings.root)",
                                                    "format": "\(settings.format.rawValue)"])
        await withTaskGroup(of: Event.self) { group in
            var running: Set<TopicPartition> = []
            var missing: Set<String> = []
            var firstCheck = true
            group.addTask { .check }
            while let event = await group.next() {
                switch event {
                case .finished(let tp):
                    running.remove(tp)
                case .check:
                    // The first check runs even during shutdown: each partition then
                    // recovers its files (cuts a crash's torn tail) before stopping.
                    if Task.isCancelled || (Task.isShuttingDownGracefully && !firstCheck) { continue }
                    firstCheck = false
                    for tp in await discover(missing: &missing) where !running.contains(tp) {
                        running.insert(tp)
                        let sink = PartitionSink(tp, services: services, settings: settings, logger: logger)
                        group.addTask {
                            await sink.run()
                            return .finished(tp)
                        }
                    }
                    let interval = settings.topicCheckInterval
                    group.addTask {
                        _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                        return .check
                    }
                }
            }
        }
        logger.info("file sink stopped")
    }

    /// The partitions of the configured topics that exist now. Topics that do not exist
    /// yet are reported once each, and picked up as soon as they are created.
    private func discover(missing: inout Set<String>) async -> [TopicPartition] {
        var found: [TopicPartition] = []
        for topic in settings.topics {
            guard let record = await services.topics.topic(named: topic) else {
                if missing.insert(topic).inserted {
                    logger.notice("topic '\(topic)' does not exist yet; the file sink starts on it once it is created")
                }
                continue
            }
            if missing.remove(topic) != nil { logger.info("topic '\(topic)' now exists; sinking it") }
            found += (0..<record.partitionCount).map { TopicPartition(topic, $0) }
        }
        return found
    }
}
