import KafkaWire
import SluiceKernel

/// The configs DescribeConfigs and CreateTopics report: every topic config the kernel
/// knows with its effective value and where it comes from (the topic's override, the
/// broker or storage configuration, or a fixed default), and the broker's own settings.
struct ConfigCatalog {
    typealias Source = DescribeConfigsResponse.Source
    typealias ConfigType = DescribeConfigsResponse.ConfigType

    struct Entry {
        var name: String
        var value: String?
        var source: Int8
        var readOnly: Bool
        var type: Int8
        var documentation: String
        /// Where else the value could come from, most specific first (name, value, source).
        var synonyms: [(String, String?, Int8)]
    }

    /// A topic config's default: its value, the broker-level key it comes from and that
    /// key's source.
    private struct TopicDefault {
        var value: String
        var brokerKey: String
        var source: Int8
        var type: Int8
    }

    let broker: Broker

    private var topicDefaults: [String: TopicDefault] {
        let log = broker.storage.defaultLogConfig
        let retention = broker.storage.defaultRetention
        return [
            "retention.ms": .init(value: "\(retention.retentionMs ?? -1)", brokerKey: "log.retention.ms", source: Source.staticBroker, type: ConfigType.long),
            "retention.bytes": .init(value: "\(retention.retentionBytes ?? -1)", brokerKey: "log.retention.bytes", source: Source.staticBroker, type: ConfigType.long),
            "segment.bytes": .init(value: "\(log.segmentBytes)", brokerKey: "log.segment.bytes", source: Source.staticBroker, type: ConfigType.int),
            "segment.ms": .init(value: "\(log.segmentMs)", brokerKey: "log.roll.ms", source: Source.staticBroker, type: ConfigType.long),
            "max.message.bytes": .init(value: "\(broker.config.messageMaxBytes)", brokerKey: "message.max.bytes", source: Source.staticBroker, type: ConfigType.int),
            "cleanup.policy": .init(value: "delete", brokerKey: "log.cleanup.policy", source: Source.default, type: ConfigType.list),
            "message.timestamp.type": .init(value: "CreateTime", brokerKey: "log.message.timestamp.type", source: Source.default, type: ConfigType.string),
            "min.insync.replicas": .init(value: "1", brokerKey: "min.insync.replicas", source: Source.default, type: ConfigType.int),
            "compression.type": .init(value: "producer", brokerKey: "compression.type", source: Source.default, type: ConfigType.string),
        ]
    }

    /// The topic configs, effective values first from `overrides`; `keys` filters (nil: all).
    func topicEntries(_ overrides: [String: String], keys: [String]?) -> [Entry] {
        let defaults = topicDefaults
        return TopicConfigs.known.compactMap { key in
            if let keys, !keys.contains(key.name) { return nil }
            let fallback = defaults[key.name]
            var synonyms: [(String, String?, Int8)] = []
            if let value = overrides[key.name] { synonyms.append((key.name, value, Source.dynamicTopic)) }
            if let fallback { synonyms.append((fallback.brokerKey, fallback.value, fallback.source)) }
            let value = overrides[key.name] ?? fallback?.value
            let source = overrides[key.name] != nil ? Source.dynamicTopic : (fallback?.source ?? Source.default)
            return Entry(name: key.name, value: value, source: source, readOnly: false,
                         type: fallback?.type ?? ConfigType.string, documentation: key.summary, synonyms: synonyms)
        }
    }

    /// The broker's settings as Kafka names them; read-only (they come from plugins.json).
    func brokerEntries(listener: HostPort, advertised: HostPort, socketRequestMaxBytes: Int, keys: [String]?) -> [Entry] {
        let config = broker.config
        let defaults = topicDefaults
        var values: [(String, String, Int8, String)] = [
            ("broker.id", "\(config.id)", ConfigType.int, "this broker's id (broker.id in plugins.json)"),
            ("node.id", "\(config.id)", ConfigType.int, "this broker's id"),
            ("listeners", "PLAINTEXT://\(listener)", ConfigType.list, "where the kafka protocol plugin listens"),
            ("advertised.listeners", "PLAINTEXT://\(advertised)", ConfigType.list, "the address clients are given"),
            ("auto.create.topics.enable", "\(config.autoCreateTopics)", ConfigType.boolean, "create unknown topics on metadata requests"),
            ("num.partitions", "\(config.defaultPartitions)", ConfigType.int, "partitions of auto-created topics"),
            ("default.replication.factor", "1", ConfigType.int, "single node: always 1"),
            ("socket.request.max.bytes", "\(socketRequestMaxBytes)", ConfigType.int, "largest request accepted"),
            ("log.dirs", config.dataDir, ConfigType.string, "data directory"),
            ("log.retention.check.interval.ms", "\(config.retentionCheckIntervalMs)", ConfigType.long, "how often retention runs"),
        ]
        for (key, value) in defaults.sorted(by: { $0.key < $1.key }) {
            values.append((value.brokerKey, value.value, value.type, "default of the topic config \(key)"))
        }
        return values.compactMap { name, value, type, doc in
            if let keys, !keys.contains(name) { return nil }
            return Entry(name: name, value: value, source: Source.staticBroker, readOnly: true, type: type,
                         documentation: doc, synonyms: [(name, value, Source.staticBroker)])
        }
    }
}

extension ConfigCatalog.Entry {
    var createTopicsConfig: CreateTopicsResponse.Config {
        var config = CreateTopicsResponse.Config()
        config.name = name
        config.value = value
        config.readOnly = readOnly
        config.configSource = source
        return config
    }

    func describeConfig(synonyms include: Bool, documentation: Bool) -> DescribeConfigsResponse.Config {
        var config = DescribeConfigsResponse.Config()
        config.name = name
        config.value = value
        config.readOnly = readOnly
        config.isDefault = source == ConfigCatalog.Source.default || source == ConfigCatalog.Source.staticBroker
        config.configSource = source
        config.configType = type
        if documentation { config.documentation = self.documentation }
        if include {
            config.synonyms = synonyms.map { name, value, source in
                var synonym = DescribeConfigsResponse.Synonym()
                synonym.name = name
                synonym.value = value
                synonym.source = source
                return synonym
            }
        }
        return config
    }
}
