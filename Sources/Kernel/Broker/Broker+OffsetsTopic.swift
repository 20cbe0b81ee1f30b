import Foundation

/// The broker's side of `__consumer_offsets`: it creates the topic when first needed and
/// appends the group coordinator's records through the same partition append path as
/// produce (offsets assigned, durable, replicated in a cluster, fetchable), while
/// refusing every client's produce to it.
extension Broker {
    /// The `__consumer_offsets` topic, created with `offsetsTopicPartitions` partitions and
    /// `OffsetsTopic.configs` when missing.
    func ensureOffsetsTopic() async throws(BrokerError) -> TopicRecord {
        if let state = topicStates[OffsetsTopic.name] { return state.record }
        do {
            let record = try await registerTopic(OffsetsTopic.name, partitions: config.offsetsTopicPartitions, configs: OffsetsTopic.configs,
                                                 replicationFactor: nil, assignment: nil, validateOnly: false)
            logger.info("created the internal topic", metadata: ["topic": "\(OffsetsTopic.name)", "partitions": "\(record.partitionCount)"])
            return record
        } catch .topicAlreadyExists {
            // Created through another broker a moment ago: take it over from the registry.
            do { try await syncTopics() } catch { throw .notReady("\(OffsetsTopic.name) exists but cannot be opened yet: \(error)") }
            guard let state = topicStates[OffsetsTopic.name] else { throw .notReady("\(OffsetsTopic.name) is being created") }
            return state.record
        }
    }

    /// Appends one group's records to its partition of `__consumer_offsets`
    /// (abs(javaHashCode(group)) % partitions). In a cluster only the partition's leader
    /// writes, which is the group's coordinator (`ClusterView.groupCoordinator`); a
    /// broker that does not lead it (the leadership is moving) skips the records. Failures
    /// are logged: the metadata store, which OffsetFetch reads, already holds the change.
    func appendToOffsetsTopic(group: String, records: [OffsetsLogRecord]) async {
        guard !records.isEmpty else { return }
        do {
            let topic = try await ensureOffsetsTopic()
            let tp = TopicPartition(OffsetsTopic.name, OffsetsTopic.partition(for: group, partitions: topic.partitionCount))
            guard let state = topicStates[OffsetsTopic.name], let partition = state.partitions[tp.partition] else {
                logger.debug("no local replica of \(tp); records of group \(group) not written there")
                return
            }
            let now = Int64((clock().timeIntervalSince1970 * 1000).rounded())
            let batch = RecordBatchBuilder().build(records.map { Record(key: $0.key, value: $0.value, timestamp: now) })
            _ = try await append([batch], to: partition, settings: state.settings)
        } catch {
            logger.warning("writing group \(group) to \(OffsetsTopic.name) failed: \(error)")
        }
    }
}
