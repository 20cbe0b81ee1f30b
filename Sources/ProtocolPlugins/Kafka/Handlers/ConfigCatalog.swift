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

    /// The broker's settings and topic-config defaults, as the kernel hands them to plugins.
    let settings: KernelSettings

    /// Kafka's wire code for a kernel config type.
    static func wireType(_ type: TopicConfigs.ValueType) -> Int8 {
        switch type {
        case .boolean: ConfigType.boolean
        case .string: ConfigType.string
        case .int: ConfigType.int
        case .long: ConfigType.long
        case .double: ConfigType.double
        case .list: ConfigType.list
        }
    }

    /// Every catalogue config of a topic with its effective value: the topic's override
    /// (DYNAMIC_TOPIC_CONFIG), else Sluice's configured default (STATIC_BROKER_CONFIG),
    /// else Kafka's default (DEFAULT_CONFIG). `keys` filters (nil: all).
    func topicEntries(_ overrides: [String: String], keys: [String]?) -> [Entry] {
        let defaults = settings.topicConfigDefaults
        return TopicConfigs.known.compactMap { key in
            if let keys, !keys.contains(key.name) { return nil }
            let fallback = defaults[key.name] ?? .init(value: key.kafkaDefault, configured: false)
            let fallbackSource = fallback.configured ? Source.staticBroker : Source.default
            var synonyms: [(String, String?, Int8)] = []
            if let value = overrides[key.name] { synonyms.append((key.name, value, Source.dynamicTopic)) }
            synonyms.append((key.serverDefault ?? key.name, fallback.value, fallbackSource))
            let override = overrides[key.name]
            return Entry(name: key.name, value: override ?? fallback.value,
                         source: override != nil ? Source.dynamicTopic : fallbackSource, readOnly: false,
                         type: Self.wireType(key.type), documentation: "\(key.summary). \(key.effect.note)", synonyms: synonyms)
        }
    }

    /// The broker's settings as Kafka names them; read-only (they come from plugins.json).
    func brokerEntries(listener: HostPort, advertised: HostPort, socketRequestMaxBytes: Int, keys: [String]?) -> [Entry] {
        let config = settings.broker
        let defaults = settings.topicConfigDefaults
        let values: [(String, String, Int8, String)] = [
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
            ("log.cleaner.enable", "\(config.logCleanerEnabled)", ConfigType.boolean, "run the log cleaner for compacted topics"),
            ("log.cleaner.backoff.ms", "\(config.logCleanerIntervalMs)", ConfigType.long, "pause between log cleaner passes"),
        ]
        var entries = values.map { name, value, type, doc in
            Entry(name: name, value: value, source: Source.staticBroker, readOnly: true, type: type,
                  documentation: doc, synonyms: [(name, value, Source.staticBroker)])
        }
        // The broker-level defaults of topic configs, under Kafka's broker names.
        for key in TopicConfigs.known {
            guard let name = key.serverDefault, let fallback = defaults[key.name] else { continue }
            let source = fallback.configured ? Source.staticBroker : Source.default
            entries.append(Entry(name: name, value: fallback.value, source: source, readOnly: true, type: Self.wireType(key.type),
                                 documentation: "default of the topic config \(key.name)", synonyms: [(name, fallback.value, source)]))
        }
        return entries.filter { keys?.contains($0.name) ?? true }
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
