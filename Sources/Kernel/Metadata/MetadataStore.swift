import Foundation

/// A metadata plugin: the topic registry, committed consumer-group offsets and
/// connector positions — everything besides records that must survive a restart.
///
/// Every write that returns has been made durable (a client is told it succeeded only
/// after that). The contract is written down as `MetadataStoreConformance`.
public protocol MetadataStore: Sendable {
    // MARK: Topics

    /// Registers a topic; throws `MetadataError.topicExists` if the name is taken.
    func createTopic(_ topic: TopicRecord) async throws
    /// Removes a topic with its configs and every group offset for it;
    /// throws `unknownTopic` if absent.
    func deleteTopic(named name: String) async throws
    /// All registered topics, sorted by name.
    func topics() async throws -> [TopicRecord]
    /// Raises a topic's partition count and stores its new replica assignment (`replicas`:
    /// the whole `TopicRecord.replicas` after the change; empty on a single node), in one
    /// write; throws `invalidPartitionCount` if not larger.
    func setPartitionCount(topic: String, count: Int32, replicas: [[Int32]]) async throws
    /// Replaces the replicas of existing partitions (by index; others keep theirs), as one
    /// write (partition reassignment). - Throws: `unknownTopic`; `invalidPartitionCount`
    /// for an index the topic's assignment lacks.
    func setReplicas(topic: String, _ replicas: [Int32: [Int32]]) async throws
    /// Replaces a topic's config overrides (`nil` value removes a key).
    func updateTopicConfigs(topic: String, set: [String: String?]) async throws

    // MARK: Consumer groups

    /// Stores committed offsets of one group atomically: all or none.
    func commitOffsets(group: String, _ offsets: [TopicPartition: CommittedOffset]) async throws
    /// The committed offsets of a group (empty when it has none).
    func committedOffsets(group: String) async throws -> [TopicPartition: CommittedOffset]
    /// Removes some committed offsets of a group.
    func deleteOffsets(group: String, partitions: [TopicPartition]) async throws
    /// Removes a group's offsets and stored state.
    func deleteGroup(_ group: String) async throws
    /// Groups that have committed offsets or stored state, sorted.
    func groups() async throws -> [String]
    /// Stores the state of a group that must survive a restart.
    func saveGroupState(_ state: GroupStateRecord) async throws
    /// The stored state of a group, if any.
    func groupState(_ group: String) async throws -> GroupStateRecord?

    // MARK: Transactions

    /// Stores (replacing) the state of one transactional id.
    func saveTransaction(_ state: TransactionStateRecord) async throws
    /// The stored state of a transactional id, if any.
    func transaction(_ transactionalId: String) async throws -> TransactionStateRecord?
    /// Every stored transactional id's state, sorted by transactional id.
    func transactions() async throws -> [TransactionStateRecord]
    /// Forgets a transactional id (absent ones are ignored).
    func deleteTransaction(_ transactionalId: String) async throws
    /// Merges offsets a transaction of `producerId` commits for `group` (TxnOffsetCommit)
    /// into that producer's staged offsets, atomically; committed offsets are untouched.
    func stageTransactionalOffsets(group: String, producerId: Int64, _ offsets: [TopicPartition: CommittedOffset]) async throws
    /// The staged offsets of every producer with a transaction open on `group`, by producer id.
    func stagedTransactionalOffsets(group: String) async throws -> [StagedTransactionalOffsets]
    /// Ends the staging of `producerId` on `group` in one atomic write: with `commit` its
    /// staged offsets become committed offsets, otherwise they are dropped. Nothing staged
    /// is not an error (a retried completion).
    func completeTransactionalOffsets(group: String, producerId: Int64, commit: Bool) async throws

    // MARK: Client quotas

    /// Sets (a value) or removes (nil) quotas of one entity in one durable write; an
    /// entity left without any quota is forgotten.
    func alterClientQuotas(_ entity: ClientQuotaEntity, set changes: [ClientQuotaKey: Double?]) async throws
    /// Every entity that has a quota, sorted by entity.
    func clientQuotas() async throws -> [ClientQuotaRecord]

    // MARK: ACLs

    /// Stores ACLs in one durable write; one stored already is not an error.
    func addAcls(_ bindings: [AclBinding]) async throws
    /// Removes every ACL one of `filters` matches in one durable write; returns the removed ones.
    func deleteAcls(matching filters: [AclBindingFilter]) async throws -> [AclBinding]
    /// Every ACL, sorted.
    func acls() async throws -> [AclBinding]

    // MARK: SCRAM credentials (users)

    /// Stores `user`'s credential for `mechanism`, replacing any, in one durable write.
    /// Other mechanisms' credentials of the user are untouched.
    func setScramCredential(user: String, mechanism: ScramMechanism, _ credential: ScramCredential) async throws
    /// Removes `user`'s credential for `mechanism`; false when there was none. A user left
    /// without any credential is forgotten.
    @discardableResult
    func deleteScramCredential(user: String, mechanism: ScramMechanism) async throws -> Bool
    /// `user`'s credential for `mechanism`, nil when it has none.
    func scramCredential(user: String, mechanism: ScramMechanism) async throws -> ScramCredential?
    /// Every user with at least one credential, sorted by user name.
    func scramUsers() async throws -> [ScramUserRecord]

    // MARK: Connectors

    /// Stores positions of a connector (e.g. the next offset per partition), atomically.
    func setConnectorPositions(connector: String, _ positions: [String: String]) async throws
    /// All positions of a connector.
    func connectorPositions(connector: String) async throws -> [String: String]

    /// Releases files and connections. Later calls throw.
    func close() async throws
}

/// A registered topic.
public struct TopicRecord: Sendable, Equatable, Codable {
    public var name: String
    public var id: UUID
    public var partitionCount: Int32
    /// Overrides of broker defaults, e.g. `retention.ms`, `max.message.bytes`.
    public var configs: [String: String]
    public var createdAt: Date
    /// Broker ids holding each partition, indexed by partition; the first is the preferred
    /// leader. Empty on a single node, where this broker holds every partition.
    public var replicas: [[Int32]]

    public init(name: String, id: UUID = UUID(), partitionCount: Int32, configs: [String: String] = [:], createdAt: Date = Date(),
                replicas: [[Int32]] = []) {
        self.name = name
        self.id = id
        self.partitionCount = partitionCount
        self.configs = configs
        self.createdAt = createdAt
        self.replicas = replicas
    }

    /// The replicas of one partition: its assignment, or `[localBroker]` on a single node.
    public func replicas(of partition: Int32, localBroker: Int32) -> [Int32] {
        Int(partition) < replicas.count ? replicas[Int(partition)] : [localBroker]
    }

    /// The assignment with some partitions' replicas replaced (what `setReplicas` stores).
    /// - Throws: `invalidPartitionCount` for an index outside the stored assignment.
    public static func replacing(_ assignment: [[Int32]], topic: String, with changes: [Int32: [Int32]]) throws -> [[Int32]] {
        var result = assignment
        for (index, replicas) in changes {
            guard index >= 0, Int(index) < result.count else {
                throw MetadataError.invalidPartitionCount(topic: topic, current: Int32(result.count), requested: index + 1)
            }
            result[Int(index)] = replicas
        }
        return result
    }
}

/// An offset a consumer group committed for one partition.
public struct CommittedOffset: Sendable, Equatable, Codable {
    /// The next offset the group will consume.
    public var offset: Int64
    public var leaderEpoch: Int32?
    public var metadata: String?
    public var commitTime: Date

    public init(offset: Int64, leaderEpoch: Int32? = nil, metadata: String? = nil, commitTime: Date = Date()) {
        self.offset = offset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
        self.commitTime = commitTime
    }
}

/// What of a group outlives a restart: members rejoin, but the generation continues,
/// and so does which member id each static member (`group.instance.id`) has now.
public struct GroupStateRecord: Sendable, Equatable, Codable {
    public var group: String
    /// e.g. "consumer"; nil for groups that only commit offsets.
    public var protocolType: String?
    public var generation: Int32
    /// `group.instance.id` → the member id that holds it. A coordinator that loads the
    /// group fences any other member id presenting the instance id (KIP-345).
    public var staticMembers: [String: String]
    public var updatedAt: Date

    public init(group: String, protocolType: String?, generation: Int32, staticMembers: [String: String] = [:],
                updatedAt: Date = Date()) {
        self.group = group
        self.protocolType = protocolType
        self.generation = generation
        self.staticMembers = staticMembers
        self.updatedAt = updatedAt
    }
}

/// Errors a metadata plugin reports.
public enum MetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    case topicExists(String)
    case unknownTopic(String)
    case invalidPartitionCount(topic: String, current: Int32, requested: Int32)
    case closed
    /// The store cannot be used; the message names the file or server and what to do.
    case unusable(String)
    /// One write was refused (e.g. a full disk) and nothing of it was stored; later writes
    /// may succeed. The message names the file or server.
    case writeFailed(String)

    public var description: String {
        switch self {
        case .topicExists(let name): "topic '\(name)' already exists"
        case .unknownTopic(let name): "topic '\(name)' does not exist"
        case .invalidPartitionCount(let topic, let current, let requested):
            "topic '\(topic)' has \(current) partitions; the new count \(requested) must be larger"
        case .closed: "the metadata store is closed"
        case .unusable(let why): why
        case .writeFailed(let why): why
        }
    }
}
