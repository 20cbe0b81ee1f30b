import Foundation
import SluiceKernel

/// In-memory metadata: a complete implementation of the `MetadataStore` contract that
/// keeps nothing across restarts. "Durable before acknowledged" holds trivially for the
/// life of the process.
public actor MemoryMetadataStore: MetadataStore {
    private var topicsByName: [String: TopicRecord] = [:]
    private var offsets: [String: [TopicPartition: CommittedOffset]] = [:]
    private var states: [String: GroupStateRecord] = [:]
    private var positions: [String: [String: String]] = [:]
    private var transactionStates: [String: TransactionStateRecord] = [:]
    /// group → producer id → staged offsets.
    private var staged: [String: [Int64: [TopicPartition: CommittedOffset]]] = [:]
    private var quotas: [ClientQuotaEntity: [ClientQuotaKey: Double]] = [:]
    private var aclSet: Set<AclBinding> = []
    private var scram: [String: [ScramMechanism: ScramCredential]] = [:]
    private var closed = false

    public init() {}

    private func ensureOpen() throws {
        if closed { throw MetadataError.closed }
    }

    public func createTopic(_ topic: TopicRecord) async throws {
        try ensureOpen()
        guard topicsByName[topic.name] == nil else { throw MetadataError.topicExists(topic.name) }
        topicsByName[topic.name] = topic
    }

    public func deleteTopic(named name: String) async throws {
        try ensureOpen()
        guard topicsByName.removeValue(forKey: name) != nil else { throw MetadataError.unknownTopic(name) }
        for group in offsets.keys {
            offsets[group] = offsets[group]?.filter { $0.key.topic != name }
        }
    }

    public func topics() async throws -> [TopicRecord] {
        try ensureOpen()
        return topicsByName.values.sorted { $0.name < $1.name }
    }

    public func setPartitionCount(topic: String, count: Int32, replicas: [[Int32]]) async throws {
        try ensureOpen()
        guard var record = topicsByName[topic] else { throw MetadataError.unknownTopic(topic) }
        guard count > record.partitionCount else {
            throw MetadataError.invalidPartitionCount(topic: topic, current: record.partitionCount, requested: count)
        }
        record.partitionCount = count
        record.replicas = replicas
        topicsByName[topic] = record
    }

    public func setReplicas(topic: String, _ changes: [Int32: [Int32]]) async throws {
        try ensureOpen()
        guard var record = topicsByName[topic] else { throw MetadataError.unknownTopic(topic) }
        record.replicas = try TopicRecord.replacing(record.replicas, topic: topic, with: changes)
        topicsByName[topic] = record
    }

    public func updateTopicConfigs(topic: String, set changes: [String: String?]) async throws {
        try ensureOpen()
        guard var record = topicsByName[topic] else { throw MetadataError.unknownTopic(topic) }
        for (key, value) in changes { record.configs[key] = value }
        topicsByName[topic] = record
    }

    public func commitOffsets(group: String, _ committed: [TopicPartition: CommittedOffset]) async throws {
        try ensureOpen()
        offsets[group, default: [:]].merge(committed) { _, new in new }
    }

    public func committedOffsets(group: String) async throws -> [TopicPartition: CommittedOffset] {
        try ensureOpen()
        return offsets[group] ?? [:]
    }

    public func deleteOffsets(group: String, partitions: [TopicPartition]) async throws {
        try ensureOpen()
        for tp in partitions { offsets[group]?.removeValue(forKey: tp) }
    }

    public func deleteGroup(_ group: String) async throws {
        try ensureOpen()
        offsets.removeValue(forKey: group)
        states.removeValue(forKey: group)
        staged.removeValue(forKey: group)
    }

    public func groups() async throws -> [String] {
        try ensureOpen()
        let withOffsets = offsets.filter { !$0.value.isEmpty }.keys
        return Set(withOffsets).union(states.keys).sorted()
    }

    public func saveGroupState(_ state: GroupStateRecord) async throws {
        try ensureOpen()
        states[state.group] = state
    }

    public func groupState(_ group: String) async throws -> GroupStateRecord? {
        try ensureOpen()
        return states[group]
    }

    public func saveTransaction(_ state: TransactionStateRecord) async throws {
        try ensureOpen()
        transactionStates[state.transactionalId] = state
    }

    public func transaction(_ transactionalId: String) async throws -> TransactionStateRecord? {
        try ensureOpen()
        return transactionStates[transactionalId]
    }

    public func transactions() async throws -> [TransactionStateRecord] {
        try ensureOpen()
        return transactionStates.values.sorted { $0.transactionalId < $1.transactionalId }
    }

    public func deleteTransaction(_ transactionalId: String) async throws {
        try ensureOpen()
        transactionStates.removeValue(forKey: transactionalId)
    }

    public func stageTransactionalOffsets(group: String, producerId: Int64, _ newOffsets: [TopicPartition: CommittedOffset]) async throws {
        try ensureOpen()
        staged[group, default: [:]][producerId, default: [:]].merge(newOffsets) { _, new in new }
    }

    public func stagedTransactionalOffsets(group: String) async throws -> [StagedTransactionalOffsets] {
        try ensureOpen()
        return (staged[group] ?? [:]).sorted { $0.key < $1.key }.map { StagedTransactionalOffsets(producerId: $0.key, offsets: $0.value) }
    }

    public func completeTransactionalOffsets(group: String, producerId: Int64, commit: Bool) async throws {
        try ensureOpen()
        guard let pending = staged[group]?.removeValue(forKey: producerId) else { return }
        if staged[group]?.isEmpty == true { staged.removeValue(forKey: group) }
        if commit { offsets[group, default: [:]].merge(pending) { _, new in new } }
    }

    public func setConnectorPositions(connector: String, _ newPositions: [String: String]) async throws {
        try ensureOpen()
        positions[connector, default: [:]].merge(newPositions) { _, new in new }
    }

    public func connectorPositions(connector: String) async throws -> [String: String] {
        try ensureOpen()
        return positions[connector] ?? [:]
    }

    public func alterClientQuotas(_ entity: ClientQuotaEntity, set changes: [ClientQuotaKey: Double?]) async throws {
        try ensureOpen()
        var values = quotas[entity] ?? [:]
        for (key, value) in changes { values[key] = value }
        quotas[entity] = values.isEmpty ? nil : values
    }

    public func clientQuotas() async throws -> [ClientQuotaRecord] {
        try ensureOpen()
        return quotas.map { ClientQuotaRecord(entity: $0.key, values: $0.value) }.sorted { $0.entity < $1.entity }
    }

    public func addAcls(_ bindings: [AclBinding]) async throws {
        try ensureOpen()
        aclSet.formUnion(bindings)
    }

    public func deleteAcls(matching filters: [AclBindingFilter]) async throws -> [AclBinding] {
        try ensureOpen()
        let deleted = aclSet.filter { binding in filters.contains { $0.matches(binding) } }
        aclSet.subtract(deleted)
        return deleted.sorted()
    }

    public func acls() async throws -> [AclBinding] {
        try ensureOpen()
        return aclSet.sorted()
    }

    public func setScramCredential(user: String, mechanism: ScramMechanism, _ credential: ScramCredential) async throws {
        try ensureOpen()
        scram[user, default: [:]][mechanism] = credential
    }

    @discardableResult
    public func deleteScramCredential(user: String, mechanism: ScramMechanism) async throws -> Bool {
        try ensureOpen()
        guard scram[user]?.removeValue(forKey: mechanism) != nil else { return false }
        if scram[user]?.isEmpty == true { scram[user] = nil }
        return true
    }

    public func scramCredential(user: String, mechanism: ScramMechanism) async throws -> ScramCredential? {
        try ensureOpen()
        return scram[user]?[mechanism]
    }

    public func scramUsers() async throws -> [ScramUserRecord] {
        try ensureOpen()
        return scram.map { ScramUserRecord(user: $0.key, credentials: $0.value) }.sorted { $0.user < $1.user }
    }

    public func close() async throws { closed = true }
}
