import Logging
import SluiceKernel

/// Appends window chunks to the broker for one connection: resolves each event's topic,
/// picks its partition, packs the events of each partition into as few record batches as
/// the batch size allows, and returns once the broker has appended all of them.
struct ChunkWriter: Sendable {
    let services: ConnectorServices
    /// Where events go without a usable `topicField` value.
    let defaultTopic: String
    /// A record batch is cut once its records hold about this many bytes: 1 MiB, or
    /// `broker.messageMaxBytes` when smaller (so Kafka consumers accept every batch).
    let maxBatchBytes: Int
    let logger: Logger
    private var partitioner = Partitioner()
    /// Routed topics already reported as unusable, so each is logged once per connection.
    private var reportedTopics: Set<String> = []

    init(services: ConnectorServices, defaultTopic: String, logger: Logger) {
        self.services = services
        self.defaultTopic = defaultTopic
        self.maxBatchBytes = min(services.settings.broker.messageMaxBytes, 1 << 20)
        self.logger = logger
    }

    /// Routes every event of `chunk` to its partition and packs them into record batches,
    /// ready for `PreparedChunk.append`. Building is the CPU-heavy half of writing, so the
    /// connection prepares the next chunk while the previous one is being appended.
    mutating func prepare(_ chunk: WindowChunk) async throws(BeatsAppendError) -> PreparedChunk {
        guard !chunk.events.isEmpty else { return PreparedChunk(appender: services.appender, appends: []) }
        defer { partitioner.advance() }
        // Resolve each distinct topic once: its partition count, or the fallback topic.
        var topics: [String?: (name: String, partitions: Int32)] = [:]
        for event in chunk.events where topics[event.topic] == nil {
            topics[event.topic] = try await resolve(event.topic)
        }
        if topics.count == 1, let only = topics.values.first, only.partitions == 1 {
            return PreparedChunk(appender: services.appender, appends: [(TopicPartition(only.name, 0), batches(chunk.events[...]))])
        }
        var order: [TopicPartition] = []
        var groups: [TopicPartition: [BeatsEvent]] = [:]
        for event in chunk.events {
            let (name, partitions) = topics[event.topic]!
            let partition = event.key.map { Partitioner.partition(forKey: $0, partitions: partitions) }
                ?? partitioner.sticky(partitions: partitions)
            let tp = TopicPartition(name, partition)
            if groups[tp] == nil { order.append(tp) }
            groups[tp, default: []].append(event)
        }
        return PreparedChunk(appender: services.appender, appends: order.map { ($0, batches(groups[$0]![...])) })
    }

    /// Packs events into batches of about `maxBatchBytes`, each event's bytes copied once,
    /// from the buffer they arrived in straight into the batch (sized up front, so it
    /// never regrows).
    private func batches(_ events: ArraySlice<BeatsEvent>) -> [RecordBatch] {
        var batches: [RecordBatch] = []
        var start = events.startIndex
        while start < events.endIndex {
            // Where this batch ends and how many key and value bytes it holds.
            var end = start
            var bytes = 0
            var keyAndValueBytes = 0
            while end < events.endIndex {
                let event = events[end]
                let held = event.value.readableBytes + (event.key?.count ?? 0)
                if bytes + held + 24 > maxBatchBytes && end > start { break }
                bytes += held + 24
                keyAndValueBytes += held
                end += 1
            }
            var writer = RecordBatchWriter(capacity: RecordBatchWriter.bytesNeeded(records: end - start, keyAndValueBytes: keyAndValueBytes))
            for index in start..<end {
                writer.append(key: events[index].key, value: events[index].value, timestamp: events[index].timestamp)
            }
            batches.append(writer.finish())
            start = end
        }
        return batches
    }

    /// The topic an event goes to and its partition count. A routed topic that does not
    /// exist is created when the broker auto-creates topics; a routed name that is
    /// invalid or cannot be created falls back to `defaultTopic`.
    private mutating func resolve(_ routed: String?) async throws(BeatsAppendError) -> (name: String, partitions: Int32) {
        if let routed, routed != defaultTopic {
            if let problem = TopicConfigs.validateName(routed) {
                report(routed, "it is not a valid topic name (\(problem))")
            } else {
                switch await lookup(routed) {
                case .success(let partitions): return (routed, partitions)
                case .failure(let error): report(routed, error.description)
                }
            }
        }
        switch await lookup(defaultTopic) {
        case .success(let partitions): return (defaultTopic, partitions)
        case .failure(let error): throw .topicUnavailable(topic: defaultTopic, reason: error.description)
        }
    }

    private func lookup(_ topic: String) async -> Result<Int32, BrokerError> {
        if let record = await services.topics.topic(named: topic) { return .success(record.partitionCount) }
        let found = await services.topics.lookupTopics([topic], allowAutoCreate: true)
        return found.first.map { $0.1.map(\.partitionCount) } ?? .failure(.unknownTopicOrPartition(topic, nil))
    }

    private mutating func report(_ topic: String, _ why: String) {
        guard reportedTopics.insert(topic).inserted else { return }
        logger.warning("events routed to topic '\(topic)' go to '\(defaultTopic)' instead: \(why)")
    }
}

/// A chunk's record batches by partition, built and waiting to be appended.
struct PreparedChunk: Sendable {
    let appender: any RecordAppender
    let appends: [(TopicPartition, [RecordBatch])]

    /// Appends every batch, partition by partition. When it returns, the events are in
    /// the log as the storage flush policy defines it (durable when it flushes on every append).
    func append() async throws(BeatsAppendError) {
        for (tp, batches) in appends {
            do {
                _ = try await appender.append(batches, to: tp, createTopic: false)
            } catch {
                throw .appendFailed(tp, error)
            }
        }
    }
}
