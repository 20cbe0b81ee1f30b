/// The broker's settings a plugin may read: plugins.json's `broker` section and the
/// defaults of topics that set no override (the storage plugin's and Kafka's).
public struct KernelSettings: Sendable {
    /// plugins.json's `broker` section (id, limits, defaults).
    public var broker: BrokerConfig
    /// Segment settings of topics without `segment.bytes` / `segment.ms`.
    public var defaultLogConfig: PartitionLogConfig
    /// Retention of topics without `retention.ms` / `retention.bytes`.
    public var defaultRetention: RetentionPolicy
    /// Every catalogue topic config's default, by name (`Broker.topicConfigDefaults`).
    public var topicConfigDefaults: [String: Broker.TopicConfigDefault]

    public init(broker: BrokerConfig, defaultLogConfig: PartitionLogConfig, defaultRetention: RetentionPolicy,
                topicConfigDefaults: [String: Broker.TopicConfigDefault] = [:]) {
        self.broker = broker
        self.defaultLogConfig = defaultLogConfig
        self.defaultRetention = defaultRetention
        self.topicConfigDefaults = topicConfigDefaults
    }
}

/// Everything of the kernel a protocol plugin (`protocols[]` in plugins.json) may use.
/// Storage and metadata are not here: plugins reach them only through these protocols.
///
/// `init(broker:)` wires every member to the `Broker` itself (no wrapper, so no extra
/// hop on produce or fetch); a test can pass fakes to the memberwise init.
public struct ProtocolServices: Sendable {
    public var settings: KernelSettings
    /// Produce, acks=all waits, producer ids.
    public var appender: any RecordAppender
    /// Long-poll fetch, list offsets, leader checks, browsing.
    public var reader: any RecordReader
    /// Topic lookup, auto-create and administration.
    public var topics: any TopicAdministration
    /// Consumer groups and their committed offsets.
    public var groups: any GroupService
    /// Transactional producers' coordinator.
    public var transactions: any TransactionService
    /// Read-only views: partition offsets, sizes, lag, replicas, cluster, connector positions.
    public var observation: any BrokerObservation
    /// Where a protocol plugin announces the address clients reach this broker at once it
    /// has bound (cluster registration waits for it).
    public var listener: AdvertisedListener
    /// Reassignments and leader elections, answered when this broker is the controller;
    /// nil on a single node (the Kafka plugin then refuses them). The server sets it once
    /// the broker's cluster membership exists.
    public var cluster: (any ClusterOperations)?
    /// Client quotas: usage metering and their administration.
    public var quotas: any ClientQuotaService
    /// Requests other brokers send to the controller (cluster mode only; nil on one node).
    public var controller: ControllerRequests? = nil
    /// Users' SCRAM credentials, which an authenticating listener checks passwords against.
    /// Default: none (no user can authenticate); `init(broker:)` sets the broker's users.
    public var credentials: any ScramCredentialSource = StaticScramCredentials()
    /// Users' administration (AlterUserScramCredentials, DescribeUserScramCredentials);
    /// nil refuses it. `init(broker:)` sets the broker's users.
    public var users: (any ScramUserAdministration)? = nil
    /// Decides what each principal may do (ACLs). Default: everyone may do everything.
    public var authorizer: any Authorizer = AllowEveryoneAuthorizer()
    /// ACL administration (CreateAcls, DescribeAcls, DeleteAcls); nil when ACLs are not
    /// kept (those APIs then answer SECURITY_DISABLED). The server sets it with `authorizer`.
    public var acls: (any AclAdministration)? = nil

    public init(settings: KernelSettings, appender: any RecordAppender, reader: any RecordReader,
                topics: any TopicAdministration, groups: any GroupService, transactions: any TransactionService,
                observation: any BrokerObservation, listener: AdvertisedListener = AdvertisedListener(),
                quotas: any ClientQuotaService) {
        self.settings = settings
        self.appender = appender
        self.reader = reader
        self.topics = topics
        self.groups = groups
        self.transactions = transactions
        self.observation = observation
        self.listener = listener
        self.quotas = quotas
    }

    /// The services of a running broker.
    public init(broker: Broker) {
        self.init(settings: broker.settings, appender: broker, reader: broker, topics: broker, groups: broker.groups,
                  transactions: broker.transactions, observation: broker, listener: broker.listener, quotas: broker.quotas)
        controller = broker.controllerRequests
        credentials = broker.users
        users = broker.users
    }
}

/// Everything of the kernel a connector (`connectors[]` in plugins.json) may use: it
/// appends (sources) or reads (sinks) records and keeps its own position.
public struct ConnectorServices: Sendable {
    public var settings: KernelSettings
    public var appender: any RecordAppender
    public var reader: any RecordReader
    public var topics: any TopicAdministration
    /// The connector's own progress, stored durably by the kernel.
    public var positions: any ConnectorPositionStore

    public init(settings: KernelSettings, appender: any RecordAppender, reader: any RecordReader,
                topics: any TopicAdministration, positions: any ConnectorPositionStore) {
        self.settings = settings
        self.appender = appender
        self.reader = reader
        self.topics = topics
        self.positions = positions
    }

    /// The services of a running broker.
    public init(broker: Broker) {
        self.init(settings: broker.settings, appender: broker, reader: broker, topics: broker, positions: broker)
    }
}
