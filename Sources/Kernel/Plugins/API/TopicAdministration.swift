/// The topic registry as plugins may see and change it: Kafka's Metadata (with
/// auto-create), CreateTopics, DeleteTopics, CreatePartitions and the config APIs, and
/// connectors that look up or auto-create their topics.
///
/// `Broker` implements it with its actor methods; the registry's storage (the metadata
/// plugin) stays behind the kernel.
public protocol TopicAdministration: Sendable {
    /// All topics, sorted by name.
    func topics() async -> [TopicRecord]
    /// One topic, or nil when it does not exist.
    func topic(named name: String) async -> TopicRecord?
    /// Topics by name for a metadata request: existing ones, auto-created ones when
    /// `allowAutoCreate` and the broker allows it, errors for the rest. `nil` = all.
    func lookupTopics(_ names: [String]?, allowAutoCreate: Bool) async -> [(String, Result<TopicRecord, BrokerError>)]
    /// Creates a topic, or only validates when `validateOnly`. `partitions` nil takes the
    /// broker's default; `replicationFactor` nil or -1 the default; `assignment` names
    /// each partition's replicas.
    func createTopic(_ name: String, partitions: Int32?, configs: [String: String], replicationFactor: Int32?,
                     assignment: [[Int32]]?, validateOnly: Bool) async throws(BrokerError) -> TopicRecord
    /// Deletes a topic and the data this broker holds for it.
    func deleteTopic(_ name: String) async throws(BrokerError)
    /// Raises a topic's partition count to `total`.
    func createPartitions(_ name: String, total: Int32, assignment: [[Int32]]?, validateOnly: Bool) async throws(BrokerError)
    /// Sets (or with nil, removes) topic config overrides.
    func alterTopicConfigs(_ name: String, set changes: [String: String?], validateOnly: Bool) async throws(BrokerError)
    /// The value a list config of topic `name` takes after adding `items` and removing
    /// `removed` (Kafka's IncrementalAlterConfigs APPEND and SUBTRACT); other config types
    /// refuse them with `invalidConfig`.
    func resolveListChange(topic name: String, config: String, append items: [String]?,
                           subtract removed: [String]?) async throws(BrokerError) -> String
    /// Kafka's DeleteRecords for one partition this broker leads: moves its log start to
    /// `offset` (-1: the high watermark); never backward; `offsetOutOfRange` past the high
    /// watermark. Returns the new log start (the low watermark).
    func deleteRecords(_ tp: TopicPartition, before offset: Int64) async throws(BrokerError) -> Int64
}

extension TopicAdministration {
    /// Creates a topic with the broker's defaults for everything not given.
    @discardableResult
    public func createTopic(_ name: String, partitions: Int32? = nil, configs: [String: String] = [:]) async throws(BrokerError) -> TopicRecord {
        try await createTopic(name, partitions: partitions, configs: configs, replicationFactor: nil, assignment: nil, validateOnly: false)
    }
}
