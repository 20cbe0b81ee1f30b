/// The `broker` section of plugins.json: the kernel's own settings.
public struct BrokerConfig: PluginConfiguration, Equatable {
    /// Numeric id of this broker; unique per node in a cluster. Default 0.
    public var id: Int32 = 0
    /// Directory for data of every plugin that stores files. Default "data".
    public var dataDir: String = "data"
    /// Create a topic when a client asks for its metadata and it does not exist. Default true.
    public var autoCreateTopics: Bool = true
    /// Partitions of auto-created topics and of CreateTopics without a count. Default 1.
    public var defaultPartitions: Int32 = 1
    /// Largest record batch accepted, in bytes (`message.max.bytes`). Default 1048588.
    public var messageMaxBytes: Int = 1_048_588
    /// How often retention runs, in milliseconds. Default 300000 (5 minutes).
    public var retentionCheckIntervalMs: Int64 = 300_000
    /// How long the log cleaner waits between passes over the compacted topics'
    /// partitions, in milliseconds (Kafka's `log.cleaner.backoff.ms`). Default 15000.
    public var logCleanerIntervalMs: Int64 = 15_000
    /// Run the log cleaner (Kafka's `log.cleaner.enable`); without it compacted topics keep
    /// every record. Default true.
    public var logCleanerEnabled: Bool = true
    /// Committed offsets of empty groups expire after this many minutes. Default 10080 (7 days).
    public var offsetsRetentionMinutes: Int64 = 10_080
    /// How long a new consumer group waits for more members before its first
    /// rebalance completes, in milliseconds (group.initial.rebalance.delay.ms). Default 3000.
    public var groupInitialRebalanceDelayMs: Int64 = 3_000
    /// Partitions of the internal `__consumer_offsets` topic when the broker creates it
    /// (`offsets.topic.num.partitions`); a group's records go to partition
    /// abs(javaHashCode(groupId)) % this. Changing it later does not repartition an
    /// existing topic. Default 50, as in Kafka.
    public var offsetsTopicPartitions: Int32 = 50
    /// Log level: trace, debug, info, notice, warning, error, critical. Default "info".
    public var logLevel: String = "info"
    /// Cluster mode: replicas of a new topic when the request names none. Default nil,
    /// meaning min(3, live brokers).
    public var defaultReplicationFactor: Int32? = nil
    /// Cluster mode: in-sync replicas an `acks=all` produce needs (topic config
    /// `min.insync.replicas` overrides). Default 1.
    public var minInsyncReplicas: Int32 = 1
    /// Cluster mode: a follower that has not caught up with the leader for this long leaves
    /// the ISR, in milliseconds. Default 30000.
    public var replicaLagTimeMs: Int64 = 30_000
    /// Cluster mode: how long a SIGTERMed broker waits for the controller to move its
    /// leaderships to in-sync followers before it stops, in milliseconds; 0 stops at once
    /// (as after a crash, clients wait for the session to expire). Default 30000.
    public var controlledShutdownTimeoutMs: Int64 = 30_000
    /// The largest `transaction.timeout.ms` a transactional producer may ask for, in
    /// milliseconds (Kafka's `transaction.max.timeout.ms`). Default 900000 (15 minutes).
    public var transactionMaxTimeoutMs: Int32 = 900_000
    /// A transactional id whose producer has sent no transactional request for this long,
    /// with no transaction open, is removed from the coordinator's durable state, in
    /// milliseconds (Kafka's `transactional.id.expiration.ms`). Its next InitProducerId
    /// starts afresh with a new producer id. Default 604800000 (7 days).
    public var transactionalIdExpirationMs: Int64 = 604_800_000
    /// Principals that may do everything whatever the ACLs say, e.g. `["User:admin",
    /// "User:CN=broker,O=Example"]` (Kafka's `super.users`). Default none.
    public var superUsers: [String] = []
    /// Whether a resource no ACL applies to is open to everyone (Kafka's
    /// `allow.everyone.if.no.acl.found`). Default (nil): false when any kafka listener
    /// authenticates (SASL, or TLS with `clientAuth: required`), true otherwise, so a
    /// node without authentication keeps working as before ACLs existed.
    public var allowEveryoneIfNoAclFound: Bool? = nil

    /// `superUsers` as principals (the ones that parse; `validate` reports the others).
    public var superUserPrincipals: Set<Principal> { Set(superUsers.compactMap { try? Principal(parsing: $0) }) }

    public init() {}

    enum CodingKeys: String, CodingKey {
        case id, dataDir, autoCreateTopics, defaultPartitions, messageMaxBytes
        case retentionCheckIntervalMs, logCleanerIntervalMs, logCleanerEnabled, offsetsRetentionMinutes, groupInitialRebalanceDelayMs, offsetsTopicPartitions, logLevel
        case defaultReplicationFactor, minInsyncReplicas, replicaLagTimeMs, controlledShutdownTimeoutMs, transactionMaxTimeoutMs
        case transactionalIdExpirationMs, superUsers, allowEveryoneIfNoAclFound
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BrokerConfig.init()
        id = try c.decodeIfPresent(Int32.self, forKey: .id) ?? d.id
        dataDir = try c.decodeIfPresent(String.self, forKey: .dataDir) ?? d.dataDir
        autoCreateTopics = try c.decodeIfPresent(Bool.self, forKey: .autoCreateTopics) ?? d.autoCreateTopics
        defaultPartitions = try c.decodeIfPresent(Int32.self, forKey: .defaultPartitions) ?? d.defaultPartitions
        messageMaxBytes = try c.decodeIfPresent(Int.self, forKey: .messageMaxBytes) ?? d.messageMaxBytes
        retentionCheckIntervalMs = try c.decodeIfPresent(Int64.self, forKey: .retentionCheckIntervalMs) ?? d.retentionCheckIntervalMs
        logCleanerIntervalMs = try c.decodeIfPresent(Int64.self, forKey: .logCleanerIntervalMs) ?? d.logCleanerIntervalMs
        logCleanerEnabled = try c.decodeIfPresent(Bool.self, forKey: .logCleanerEnabled) ?? d.logCleanerEnabled
        offsetsRetentionMinutes = try c.decodeIfPresent(Int64.self, forKey: .offsetsRetentionMinutes) ?? d.offsetsRetentionMinutes
        groupInitialRebalanceDelayMs = try c.decodeIfPresent(Int64.self, forKey: .groupInitialRebalanceDelayMs) ?? d.groupInitialRebalanceDelayMs
        offsetsTopicPartitions = try c.decodeIfPresent(Int32.self, forKey: .offsetsTopicPartitions) ?? d.offsetsTopicPartitions
        logLevel = try c.decodeIfPresent(String.self, forKey: .logLevel) ?? d.logLevel
        defaultReplicationFactor = try c.decodeIfPresent(Int32.self, forKey: .defaultReplicationFactor)
        minInsyncReplicas = try c.decodeIfPresent(Int32.self, forKey: .minInsyncReplicas) ?? d.minInsyncReplicas
        replicaLagTimeMs = try c.decodeIfPresent(Int64.self, forKey: .replicaLagTimeMs) ?? d.replicaLagTimeMs
        controlledShutdownTimeoutMs = try c.decodeIfPresent(Int64.self, forKey: .controlledShutdownTimeoutMs) ?? d.controlledShutdownTimeoutMs
        transactionMaxTimeoutMs = try c.decodeIfPresent(Int32.self, forKey: .transactionMaxTimeoutMs) ?? d.transactionMaxTimeoutMs
        transactionalIdExpirationMs = try c.decodeIfPresent(Int64.self, forKey: .transactionalIdExpirationMs) ?? d.transactionalIdExpirationMs
        superUsers = try c.decodeIfPresent([String].self, forKey: .superUsers) ?? d.superUsers
        allowEveryoneIfNoAclFound = try c.decodeIfPresent(Bool.self, forKey: .allowEveryoneIfNoAclFound)
    }

    public static let keys: [ConfigKeyDoc] = [
        .init("id", "integer", default: "0", "broker id, unique per node in a cluster"),
        .init("dataDir", "path", default: "data", "directory for the data of every plugin that stores files"),
        .init("autoCreateTopics", "boolean", default: "true", "create unknown topics when clients ask for them"),
        .init("defaultPartitions", "integer", default: "1", "partitions of auto-created topics"),
        .init("messageMaxBytes", "bytes", default: "1048588", "largest record batch accepted"),
        .init("retentionCheckIntervalMs", "milliseconds", default: "300000", "how often retention runs"),
        .init("logCleanerIntervalMs", "milliseconds", default: "15000", "pause between log cleaner passes over compacted topics"),
        .init("logCleanerEnabled", "boolean", default: "true", "run the log cleaner; without it compacted topics keep every record"),
        .init("offsetsRetentionMinutes", "minutes", default: "10080", "committed offsets of empty groups expire after this"),
        .init("groupInitialRebalanceDelayMs", "milliseconds", default: "3000", "a new consumer group waits this long for more members"),
        .init("offsetsTopicPartitions", "integer", default: "50", "partitions of the internal __consumer_offsets topic when it is created"),
        .init("logLevel", "string", default: "info", "trace, debug, info, notice, warning, error or critical"),
        .init("defaultReplicationFactor", "integer", default: "min(3, live brokers)", "cluster mode: replicas of new topics"),
        .init("minInsyncReplicas", "integer", default: "1", "cluster mode: in-sync replicas an acks=all produce needs"),
        .init("replicaLagTimeMs", "milliseconds", default: "30000", "cluster mode: a follower this far behind leaves the ISR"),
        .init("controlledShutdownTimeoutMs", "milliseconds", default: "30000",
              "cluster mode: how long SIGTERM waits for the controller to move this broker's leaderships away (0: not at all)"),
        .init("transactionMaxTimeoutMs", "milliseconds", default: "900000", "largest transaction.timeout.ms a transactional producer may ask for"),
        .init("transactionalIdExpirationMs", "milliseconds", default: "604800000",
              "a transactional id idle this long with no open transaction is forgotten (transactional.id.expiration.ms)"),
        .init("superUsers", "array of principals", default: "[]", "principals (User:name) that may do everything whatever the ACLs say"),
        .init("allowEveryoneIfNoAclFound", "boolean", default: "false if a kafka listener authenticates, else true",
              "a resource no ACL applies to is open to everyone"),
    ]

    public func validate() -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if id < 0 { problems.append(.init(keyPath: "id", "must be 0 or more, got \(id)")) }
        if dataDir.isEmpty { problems.append(.init(keyPath: "dataDir", "must name a directory, got an empty string")) }
        if !(1...100_000).contains(defaultPartitions) {
            problems.append(.init(keyPath: "defaultPartitions", "must be between 1 and 100000, got \(defaultPartitions)"))
        }
        if !(1...(1 << 30)).contains(messageMaxBytes) {
            problems.append(.init(keyPath: "messageMaxBytes", "must be between 1 and 1073741824 bytes, got \(messageMaxBytes)"))
        }
        if retentionCheckIntervalMs < 100 {
            problems.append(.init(keyPath: "retentionCheckIntervalMs", "must be at least 100 ms, got \(retentionCheckIntervalMs)"))
        }
        if logCleanerIntervalMs < 100 {
            problems.append(.init(keyPath: "logCleanerIntervalMs", "must be at least 100 ms, got \(logCleanerIntervalMs)"))
        }
        if offsetsRetentionMinutes < 1 {
            problems.append(.init(keyPath: "offsetsRetentionMinutes", "must be at least 1 minute, got \(offsetsRetentionMinutes)"))
        }
        if !(0...300_000).contains(groupInitialRebalanceDelayMs) {
            problems.append(.init(keyPath: "groupInitialRebalanceDelayMs", "must be between 0 and 300000 ms, got \(groupInitialRebalanceDelayMs)"))
        }
        if !(1...100_000).contains(offsetsTopicPartitions) {
            problems.append(.init(keyPath: "offsetsTopicPartitions", "must be between 1 and 100000, got \(offsetsTopicPartitions)"))
        }
        if let factor = defaultReplicationFactor, !(1...100).contains(factor) {
            problems.append(.init(keyPath: "defaultReplicationFactor", "must be between 1 and 100, got \(factor)"))
        }
        if minInsyncReplicas < 1 {
            problems.append(.init(keyPath: "minInsyncReplicas", "must be at least 1, got \(minInsyncReplicas)"))
        }
        if transactionMaxTimeoutMs < 1 {
            problems.append(.init(keyPath: "transactionMaxTimeoutMs", "must be at least 1 ms, got \(transactionMaxTimeoutMs)"))
        }
        if controlledShutdownTimeoutMs < 0 {
            problems.append(.init(keyPath: "controlledShutdownTimeoutMs", "must be 0 or more, got \(controlledShutdownTimeoutMs)"))
        }
        if transactionalIdExpirationMs < 1 {
            problems.append(.init(keyPath: "transactionalIdExpirationMs", "must be at least 1 ms, got \(transactionalIdExpirationMs)"))
        }
        for (index, text) in superUsers.enumerated() {
            do throws(PrincipalError) {
                _ = try Principal(parsing: text)
            } catch {
                problems.append(.init(keyPath: "superUsers[\(index)]", "\(error)"))
            }
        }
        if replicaLagTimeMs < 100 {
            problems.append(.init(keyPath: "replicaLagTimeMs", "must be at least 100 ms, got \(replicaLagTimeMs)"))
        }
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        if !levels.contains(logLevel) {
            problems.append(.init(keyPath: "logLevel", "unknown level '\(logLevel)'; use one of \(levels.joined(separator: ", "))"))
        }
        return problems
    }
}
