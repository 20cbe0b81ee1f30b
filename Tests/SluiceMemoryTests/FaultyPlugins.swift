import Foundation
import NIOCore
import SluiceKernel
import SluiceMemory

/// Storage that wraps the memory plugin and breaks one promise of the contract, to prove
/// the conformance suite notices.
actor FaultyStorage: LogStorage {
    enum Fault: Sendable {
        case offByOneOffsets, dropEverySecondBatch, ignoreByteLimit, retentionDeletesActive
        /// compact ignores min.compaction.lag.ms and removes tombstones as it stamps their horizon.
        case compactionIgnoresLagAndHorizon
        /// advanceLogStart answers the requested offset but keeps every record readable.
        case logStartNotMoved
        /// abortedTransactions answers nothing: the aborted-transaction index is not kept.
        case abortedTransactionsForgotten
        /// truncateFully empties the log but restarts it at 0, not at the offset asked.
        case truncateFullyRestartsAtZero
    }
    nonisolated let fault: Fault
    let inner = MemoryLogStorage()
    private var logs: [TopicPartition: FaultyLog] = [:]
    nonisolated var defaultLogConfig: PartitionLogConfig { PartitionLogConfig() }
    nonisolated var defaultRetention: RetentionPolicy { RetentionPolicy() }

    init(fault: Fault) { self.fault = fault }

    func open(_ partition: TopicPartition, config: PartitionLogConfig) async throws -> any PartitionLog {
        if let log = logs[partition] { return log }
        let log = FaultyLog(inner: try await inner.open(partition, config: config), fault: fault)
        logs[partition] = log
        return log
    }
    func delete(_ partition: TopicPartition) async throws {
        logs.removeValue(forKey: partition)
        try await inner.delete(partition)
    }
    func storedPartitions() async throws -> [TopicPartition] { try await inner.storedPartitions() }
    func close() async throws { try await inner.close() }
}

actor FaultyLog: PartitionLog {
    let inner: any PartitionLog
    let fault: FaultyStorage.Fault
    private var appends = 0
    nonisolated let topicPartition: TopicPartition

    init(inner: any PartitionLog, fault: FaultyStorage.Fault) {
        self.inner = inner
        self.fault = fault
        self.topicPartition = inner.topicPartition
    }

    func append(_ batches: [RecordBatch]) async throws -> LogAppendInfo {
        appends += 1
        switch fault {
        case .offByOneOffsets:
            var info = try await inner.append(batches)
            info.firstOffset += 1
            return info
        case .dropEverySecondBatch where appends % 2 == 0:
            let end = try await inner.offsets().logEndOffset
            let count = batches.reduce(0) { $0 + Int64($1.lastOffsetDelta) + 1 }
            return LogAppendInfo(firstOffset: end, lastOffset: end + count - 1, logEndOffset: end + count, logStartOffset: 0)
        default:
            return try await inner.append(batches)
        }
    }

    func read(from offset: Int64, maxBytes: Int, maxOffset: Int64?, minOneBatch: Bool) async throws -> LogReadResult {
        try await inner.read(from: offset, maxBytes: fault == .ignoreByteLimit ? Int.max : maxBytes, maxOffset: maxOffset, minOneBatch: minOneBatch)
    }
    func batch(atOrAfterTimestamp timestamp: Int64) async throws -> LogBatchPosition? { try await inner.batch(atOrAfterTimestamp: timestamp) }
    func batchWithMaxTimestamp() async throws -> LogBatchPosition? { try await inner.batchWithMaxTimestamp() }
    func offsets() async throws -> LogOffsets { try await inner.offsets() }
    func truncate(to offset: Int64) async throws { try await inner.truncate(to: offset) }
    func applyRetention(_ policy: RetentionPolicy, now: Date) async throws -> RetentionResult {
        guard fault == .retentionDeletesActive else { return try await inner.applyRetention(policy, now: now) }
        let before = try await inner.offsets()
        try await inner.truncate(to: before.logStartOffset)
        return RetentionResult(previousLogStartOffset: before.logStartOffset, logStartOffset: before.logEndOffset, deletedBytes: before.sizeBytes)
    }
    func flush() async throws { try await inner.flush() }
    func compactionStats(_ policy: CompactionPolicy, now: Date) async throws -> CompactionStats {
        try await inner.compactionStats(policy, now: now)
    }
    func compact(_ policy: CompactionPolicy, now: Date) async throws -> CompactionResult {
        guard fault == .compactionIgnoresLagAndHorizon else { return try await inner.compact(policy, now: now) }
        // Ignores min.compaction.lag.ms and removes tombstones in the same call that
        // stamps their horizon.
        var hasty = policy
        hasty.minCompactionLagMs = 0
        hasty.deleteRetentionMs = 0
        _ = try await inner.compact(hasty, now: now)
        return try await inner.compact(hasty, now: now)
    }
    func advanceLogStart(to offset: Int64) async throws -> Int64 {
        guard fault == .logStartNotMoved else { return try await inner.advanceLogStart(to: offset) }
        return offset
    }
    func truncateFully(startingAt offset: Int64) async throws {
        try await inner.truncateFully(startingAt: fault == .truncateFullyRestartsAtZero ? 0 : offset)
    }
    func recordAbortedTransaction(_ entry: AbortedTransactionEntry) async throws { try await inner.recordAbortedTransaction(entry) }
    func abortedTransactions(from offset: Int64, upTo end: Int64) async throws -> [AbortedTransactionEntry] {
        guard fault == .abortedTransactionsForgotten else { return try await inner.abortedTransactions(from: offset, upTo: end) }
        return []
    }
    func storeProducerStateScanStart(_ offset: Int64) async throws { try await inner.storeProducerStateScanStart(offset) }
    func producerStateScanStart() async throws -> Int64? { try await inner.producerStateScanStart() }
}

/// Metadata that silently keeps only the first partition of every commit and leaves
/// offsets of deleted topics behind.
actor FaultyMetadataStore: MetadataStore {
    let inner = MemoryMetadataStore()
    private var orphanOffsets: [String: [TopicPartition: CommittedOffset]] = [:]

    func createTopic(_ topic: TopicRecord) async throws { try await inner.createTopic(topic) }
    func deleteTopic(named name: String) async throws { try await inner.deleteTopic(named: name) }
    func topics() async throws -> [TopicRecord] { try await inner.topics() }
    func setPartitionCount(topic: String, count: Int32, replicas: [[Int32]]) async throws {
        try await inner.setPartitionCount(topic: topic, count: count, replicas: replicas)
    }
    func setReplicas(topic: String, _ replicas: [Int32: [Int32]]) async throws { try await inner.setReplicas(topic: topic, replicas) }
    func updateTopicConfigs(topic: String, set: [String: String?]) async throws { try await inner.updateTopicConfigs(topic: topic, set: set) }
    func commitOffsets(group: String, _ offsets: [TopicPartition: CommittedOffset]) async throws {
        guard let first = offsets.min(by: { $0.key < $1.key }) else { return }
        orphanOffsets[group, default: [:]].merge(offsets) { $1 }
        try await inner.commitOffsets(group: group, [first.key: first.value])
    }
    func committedOffsets(group: String) async throws -> [TopicPartition: CommittedOffset] {
        // Offsets of deleted topics come back: the fault the deleteTopic check must see.
        let live = try await inner.committedOffsets(group: group)
        let stale = (orphanOffsets[group] ?? [:]).filter { live[$0.key] == nil && $0.key.topic == "del" }
        return live.merging(stale) { a, _ in a }
    }
    func deleteOffsets(group: String, partitions: [TopicPartition]) async throws { try await inner.deleteOffsets(group: group, partitions: partitions) }
    func deleteGroup(_ group: String) async throws { try await inner.deleteGroup(group) }
    func groups() async throws -> [String] { try await inner.groups() }
    func saveGroupState(_ state: GroupStateRecord) async throws { try await inner.saveGroupState(state) }
    func groupState(_ group: String) async throws -> GroupStateRecord? { try await inner.groupState(group) }
    func saveTransaction(_ state: TransactionStateRecord) async throws { try await inner.saveTransaction(state) }
    func transaction(_ transactionalId: String) async throws -> TransactionStateRecord? { try await inner.transaction(transactionalId) }
    func transactions() async throws -> [TransactionStateRecord] { try await inner.transactions() }
    func deleteTransaction(_ transactionalId: String) async throws { try await inner.deleteTransaction(transactionalId) }
    func stageTransactionalOffsets(group: String, producerId: Int64, _ offsets: [TopicPartition: CommittedOffset]) async throws {
        try await inner.stageTransactionalOffsets(group: group, producerId: producerId, offsets)
    }
    func stagedTransactionalOffsets(group: String) async throws -> [StagedTransactionalOffsets] {
        try await inner.stagedTransactionalOffsets(group: group)
    }
    func completeTransactionalOffsets(group: String, producerId: Int64, commit: Bool) async throws {
        try await inner.completeTransactionalOffsets(group: group, producerId: producerId, commit: commit)
    }
    func setConnectorPositions(connector: String, _ positions: [String: String]) async throws { try await inner.setConnectorPositions(connector: connector, positions) }
    func connectorPositions(connector: String) async throws -> [String: String] { try await inner.connectorPositions(connector: connector) }
    func alterClientQuotas(_ entity: ClientQuotaEntity, set changes: [ClientQuotaKey: Double?]) async throws {
        try await inner.alterClientQuotas(entity, set: changes)
    }
    func clientQuotas() async throws -> [ClientQuotaRecord] { try await inner.clientQuotas() }
    func addAcls(_ bindings: [AclBinding]) async throws { try await inner.addAcls(bindings) }
    func deleteAcls(matching filters: [AclBindingFilter]) async throws -> [AclBinding] { try await inner.deleteAcls(matching: filters) }
    func acls() async throws -> [AclBinding] { try await inner.acls() }
    func setScramCredential(user: String, mechanism: ScramMechanism, _ credential: ScramCredential) async throws {
        try await inner.setScramCredential(user: user, mechanism: mechanism, credential)
    }
    func deleteScramCredential(user: String, mechanism: ScramMechanism) async throws -> Bool {
        try await inner.deleteScramCredential(user: user, mechanism: mechanism)
    }
    func scramCredential(user: String, mechanism: ScramMechanism) async throws -> ScramCredential? {
        try await inner.scramCredential(user: user, mechanism: mechanism)
    }
    func scramUsers() async throws -> [ScramUserRecord] { try await inner.scramUsers() }
    func close() async throws { try await inner.close() }
}
