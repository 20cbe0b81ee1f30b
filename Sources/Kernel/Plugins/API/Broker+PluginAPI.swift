/// The broker is the implementation of every plugin-facing protocol: a plugin holding
/// `any RecordAppender` calls the same actor method it called before, with the same one
/// hop. The members below are the ones that only exist for plugins; they are
/// nonisolated and never wait on the broker for what they do not need from it.
extension Broker: RecordAppender, RecordReader, TopicAdministration, BrokerObservation, ConnectorPositionStore {
    /// The settings plugins may read.
    public nonisolated var settings: KernelSettings {
        KernelSettings(broker: config, defaultLogConfig: storage.defaultLogConfig, defaultRetention: storage.defaultRetention,
                       topicConfigDefaults: topicConfigDefaults)
    }

    public nonisolated func partitionSnapshot(_ tp: TopicPartition) async -> PartitionSnapshot? {
        guard let partition = await partition(tp) else { return nil }
        // A partition whose storage cannot say its size is shown with its known offsets.
        let highWatermark = await partition.highWatermark
        if let offsets = try? await partition.offsets() {
            return PartitionSnapshot(logStartOffset: offsets.logStartOffset, highWatermark: highWatermark,
                                     logEndOffset: offsets.logEndOffset, sizeBytes: offsets.sizeBytes)
        }
        return PartitionSnapshot(logStartOffset: await partition.logStartOffset, highWatermark: highWatermark,
                                 logEndOffset: await partition.logEndOffset, sizeBytes: nil)
    }

    public nonisolated func connectorPositions(connector: String) async throws -> [String: String] {
        try await metadata.connectorPositions(connector: connector)
    }

    public nonisolated func setConnectorPositions(connector: String, _ positions: [String: String]) async throws {
        try await metadata.setConnectorPositions(connector: connector, positions)
    }
}
