/// The defaults behind topic configs: Kafka's, or Sluice's own settings where plugins.json
/// has them (storage segments and retention, the broker's message size and min ISR).
extension Broker {
    /// A topic config's value where a topic sets none.
    public struct TopicConfigDefault: Sendable, Equatable {
        public var value: String
        /// True when Sluice's configuration supplies it (Kafka: a static broker setting);
        /// false for Kafka 3.9's fixed default.
        public var configured: Bool

        public init(value: String, configured: Bool) {
            self.value = value
            self.configured = configured
        }
    }

    /// The default of every catalogue config, by name.
    public nonisolated var topicConfigDefaults: [String: TopicConfigDefault] {
        let log = storage.defaultLogConfig
        let retention = storage.defaultRetention
        let configured: [String: String] = [
            "retention.ms": "\(retention.retentionMs ?? -1)",
            "retention.bytes": "\(retention.retentionBytes ?? -1)",
            "segment.bytes": "\(log.segmentBytes)",
            "segment.ms": "\(log.segmentMs)",
            "max.message.bytes": "\(config.messageMaxBytes)",
            "min.insync.replicas": "\(config.minInsyncReplicas)",
        ]
        var defaults: [String: TopicConfigDefault] = [:]
        for key in TopicConfigs.known {
            defaults[key.name] = configured[key.name].map { TopicConfigDefault(value: $0, configured: true) }
                ?? TopicConfigDefault(value: key.kafkaDefault, configured: false)
        }
        return defaults
    }

    /// The value a list config of topic `name` takes after adding `items` (those not yet
    /// in it) and removing `removed`, starting from its current value (its override, else
    /// the default) as Kafka's IncrementalAlterConfigs APPEND and SUBTRACT do. Other
    /// config types refuse them with `invalidConfig`.
    public func resolveListChange(topic name: String, config: String, append items: [String]? = nil,
                                  subtract removed: [String]? = nil) throws(BrokerError) -> String {
        guard let state = topicStates[name] else { throw .unknownTopicOrPartition(name, nil) }
        guard let key = TopicConfigs.key(config) else { throw .invalidConfig(TopicConfigs.unknown(config)) }
        guard key.type == .list else {
            throw .invalidConfig("\(config) is a \(key.type.rawValue) config: APPEND and SUBTRACT apply to list configs only; use SET")
        }
        let current = state.record.configs[config] ?? topicConfigDefaults[config]?.value ?? key.kafkaDefault
        var list = TopicConfigs.items(current)
        for item in items ?? [] where !list.contains(item) { list.append(item) }
        if let removed { list.removeAll { removed.contains($0) } }
        return list.joined(separator: ",")
    }
}
