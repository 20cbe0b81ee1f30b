import Foundation
import Logging
import NIOCore

/// The kernel's facade: topics and partitions, offset assignment, long-poll fetches,
/// list offsets, topic admin, auto-create and retention. Plugins never hold it: they get
/// the narrow protocols it implements (`RecordAppender`, `RecordReader`,
/// `TopicAdministration`, `BrokerObservation`, `ConnectorPositionStore`) in
/// `ProtocolServices` / `ConnectorServices`.
public actor Broker {
    public nonisolated let config: BrokerConfig
    /// The storage plugin; reached only through the kernel (plugins get `ProtocolServices`
    /// or `ConnectorServices`, never this).
    nonisolated let storage: any LogStorage
    /// The metadata plugin; reached only through the kernel, like `storage`.
    nonisolated let metadata: any MetadataStore
    nonisolated let logger: Logger
    nonisolated let clock: @Sendable () -> Date
    /// Consumer-group coordination; committed offsets go through `metadata`.
    public nonisolated let groups: GroupCoordinator
    /// The transaction coordinator (KIP-98): its state lives in the metadata store.
    public nonisolated let transactions: TransactionCoordinator
    /// Cluster coordination (the `zookeeper` metadata plugin); nil on a single node.
    public nonisolated let coordinator: (any ClusterCoordinator)?
    /// The cluster as this broker knows it (kept current by `ClusterNode`); nil on a single node.
    public nonisolated let clusterView: ClusterView?
    /// What other brokers ask of the controller, answered by this broker's `ClusterNode`
    /// while it holds the role; nil on a single node.
    public nonisolated let controllerRequests: ControllerRequests?
    /// The address clients reach this broker at, set by the Kafka protocol plugin once bound.
    public nonisolated let listener = AdvertisedListener()
    /// Client quotas, kept in `metadata` and enforced by the protocol plugins.
    public nonisolated let quotas: ClientQuotaManager
    /// Users' SCRAM credentials, kept in `metadata` and checked by authenticating listeners.
    public nonisolated let users: ScramUserDirectory
    /// Wakes fetches parked on partitions they answered from marks (fetch sessions).
    nonisolated let fetchWakeups = FetchWakeups()
    /// The transaction coordinator's verifier (`setTransactionVerifier`); nil refuses
    /// transactional produces.
    nonisolated let transactionVerifier = TransactionVerifierSlot()
    /// Compression where the kernel must read or rewrite records: the keys of batches
    /// produced to a compacted topic, and the log cleaner's rewrites. nil: compacted
    /// topics refuse compressed batches and the cleaner cannot clean them.
    public nonisolated let codec: (any RecordBatchCodec)?

    struct TopicState {
        var record: TopicRecord {
            didSet { if record.configs != oldValue.configs { settings = TopicSettings(record.configs) } }
        }
        /// `record.configs` parsed: what produce, replication and retention read.
        private(set) var settings: TopicSettings
        /// The partitions whose replicas live on this broker (all of them on a single node).
        var partitions: [Int32: Partition]

        init(record: TopicRecord, partitions: [Int32: Partition]) {
            self.record = record
            settings = TopicSettings(record.configs)
            self.partitions = partitions
        }
    }

    var topicStates: [String: TopicState] = [:] {
        didSet { publishRoutes() }
    }
    /// `topicStates` and the replication default as produce and fetch read them, without
    /// a hop through this actor (see `TopicRoutes`).
    nonisolated let routes = PublishedTopicRoutes()
    /// Topics being created or grown right now (see `Broker+TopicCreation`).
    var creatingTopics: Set<String> = []
    /// Callers waiting for a creation in `creatingTopics` to end.
    var creationWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var started = false
    private var lastProducerId: Int64 = 0
    /// Set in cluster mode (`enableReplication`): partitions opened later start without a role.
    var replication: ReplicationConfig? {
        didSet { publishRoutes() }
    }
    /// The high-watermark checkpoint read when replication started (`enableReplication`),
    /// for partitions opened after it.
    var checkpointedHighWatermarks: [TopicPartition: Int64] = [:]

    /// What start-up found when it compared the registry with storage.
    public struct StartupReport: Sendable, Equatable {
        /// Partitions registered in metadata whose data was missing (they start empty).
        public var missingPartitions: [TopicPartition] = []
        /// Partitions with data in storage that no registered topic owns (left untouched).
        public var orphanPartitions: [TopicPartition] = []
    }

    public private(set) var startupReport = StartupReport()

    /// - Parameter clock: the wall clock (tests inject one for retention).
    /// - Parameter coordinator: cluster coordination; nil (the default) runs a single node.
    /// - Parameter codec: reads compressed batches where the kernel must (keys sent to
    ///   compacted topics, the log cleaner); nil (the default) refuses compressed batches there.
    public init(config: BrokerConfig, storage: any LogStorage, metadata: any MetadataStore, logger: Logger,
                coordinator: (any ClusterCoordinator)? = nil, clock: @escaping @Sendable () -> Date = { Date() },
                codec: (any RecordBatchCodec)? = nil) {
        self.config = config
        self.codec = codec
        self.coordinator = coordinator
        let clusterView = coordinator == nil ? nil : ClusterView(localBroker: config.id)
        self.clusterView = clusterView
        self.controllerRequests = coordinator == nil ? nil : ControllerRequests()
        self.storage = storage
        self.metadata = metadata
        self.logger = logger
        self.clock = clock
        self.quotas = ClientQuotaManager(store: metadata, logger: logger)
        self.users = ScramUserDirectory(store: metadata)
        var groupConfig = GroupCoordinatorConfig()
        groupConfig.offsetsRetentionMinutes = config.offsetsRetentionMinutes
        groupConfig.initialRebalanceDelayMs = config.groupInitialRebalanceDelayMs
        self.groups = GroupCoordinator(metadata: metadata, config: groupConfig, logger: logger, clusterView: clusterView)
        var transactionConfig = TransactionCoordinatorConfig()
        transactionConfig.maxTimeoutMs = config.transactionMaxTimeoutMs
        transactionConfig.transactionalIdExpirationMs = config.transactionalIdExpirationMs
        self.transactions = TransactionCoordinator(metadata: metadata, config: transactionConfig, logger: logger,
                                                   clusterView: clusterView, clock: clock)
    }

    // MARK: Lifecycle

    /// Loads the topic registry and opens every partition's log. Reports partitions whose
    /// data is missing and orphan data, never deleting or silently recreating either.
    public func start() async throws {
        guard !started else { return }
        let stored = Set(try await storage.storedPartitions())
        var registered: Set<TopicPartition> = []
        let records = try await metadata.topics()
        // Every local partition in one storage step, so that their recoveries are made
        // durable together rather than one fsync after the other.
        var toOpen: [(TopicPartition, PartitionLogConfig)] = []
        for record in records {
            let config = TopicConfigs.logConfig(record.configs, defaults: storage.defaultLogConfig)
            for index in 0..<record.partitionCount where isLocal(record, index) {
                let tp = TopicPartition(record.name, index)
                registered.insert(tp)
                if !stored.contains(tp) { startupReport.missingPartitions.append(tp) }
                toOpen.append((tp, config))
            }
        }
        var logs = try await storage.open(toOpen).makeIterator()
        // Collected apart and installed at once: each change of `topicStates` publishes it
        // (and copies it), which topic by topic would cost the square of the topic count.
        var loaded: [String: TopicState] = [:]
        for record in records {
            var partitions: [Int32: Partition] = [:]
            for index in 0..<record.partitionCount where isLocal(record, index) {
                partitions[index] = try await makePartition(logs.next()!)
            }
            loaded[record.name] = TopicState(record: record, partitions: partitions)
        }
        topicStates.merge(loaded) { _, new in new }
        startupReport.orphanPartitions = stored.subtracting(registered).sorted()
        for tp in startupReport.missingPartitions {
            logger.error("partition \(tp) is registered but its data is missing; it starts empty at offset 0. Restore the data directory if records were expected.")
        }
        for tp in startupReport.orphanPartitions {
            logger.warning("storage holds data for \(tp), which no registered topic owns; it is left untouched. Delete it by hand or restore the metadata file.")
        }
        lastProducerId = Int64(clock().timeIntervalSince1970 * 1000) << 12
        await groups.attachOffsetsLog { [weak self] group, records in
            await self?.appendToOffsetsTopic(group: group, records: records)
        }
        await groups.start()
        try await startTransactionCoordinator()
        started = true
        logger.info("broker started", metadata: ["topics": "\(topicStates.count)"])
    }

    /// Flushes every partition and closes storage.
    public func shutdown() async {
        await transactions.shutdown()
        await groups.shutdown()
        // Many partitions at once, so that their fsyncs can share rounds.
        let logger = logger
        _ = await forEachConcurrently(topicStates.values.flatMap(\.partitions.values), atMost: 64) { partition in
            await partition.shutdown()
            do { try await partition.flush() } catch {
                logger.error("flush of \(partition.topicPartition) failed at shutdown: \(error)")
            }
            return nil
        }
        do { try await storage.close() } catch { logger.error("closing storage failed: \(error)") }
        topicStates.removeAll()
        started = false
    }

    /// Whether this broker holds a replica of a partition (always on a single node).
    func isLocal(_ record: TopicRecord, _ partition: Int32) -> Bool {
        coordinator == nil || record.replicas(of: partition, localBroker: config.id).contains(config.id)
    }

    func openPartition(_ tp: TopicPartition, configs: [String: String]) async throws -> Partition {
        try await makePartition(storage.open(tp, config: TopicConfigs.logConfig(configs, defaults: storage.defaultLogConfig)))
    }

    /// The partition serving an opened log.
    func makePartition(_ log: any PartitionLog) async throws -> Partition {
        let partition = try await Partition(log: log, wakeups: fetchWakeups)
        if replication != nil { try await partition.enterClusterMode(checkpointed: checkpointedHighWatermarks[log.topicPartition]) }
        return partition
    }

    // MARK: Topics

    /// All topics, sorted by name.
    public func topics() -> [TopicRecord] {
        topicStates.values.map(\.record).sorted { $0.name < $1.name }
    }

    public func topic(named name: String) -> TopicRecord? { topicStates[name]?.record }

    /// The partition actor for `tp`, or nil when unknown or not held by this broker.
    public func partition(_ tp: TopicPartition) -> Partition? {
        topicStates[tp.topic]?.partitions[tp.partition]
    }

    /// Every partition held by this broker, with its topic's record.
    public func localPartitions() -> [(record: TopicRecord, partition: Partition)] {
        topicStates.values.flatMap { state in state.partitions.values.map { (state.record, $0) } }
    }

    /// Creates a topic (registry first, then storage), or only validates when `validateOnly`.
    /// In a cluster the replicas are spread over the live brokers (`replicationFactor`, else
    /// `defaultReplicationFactor`, else min(3, live brokers)) unless `assignment` names
    /// them; each partition starts led by its first replica with every replica in sync.
    @discardableResult
    public func createTopic(_ name: String, partitions: Int32? = nil, configs: [String: String] = [:],
                            replicationFactor: Int32? = nil, assignment: [[Int32]]? = nil,
                            validateOnly: Bool = false) async throws(BrokerError) -> TopicRecord {
        if let reason = TopicConfigs.validateName(name) { throw .invalidTopic(name, reason: reason) }
        guard topicStates[name] == nil else { throw .topicAlreadyExists(name) }
        if OffsetsTopic.isInternal(name) {
            throw .invalidTopic(name, reason: "it is an internal topic the broker creates itself on the first consumer-group commit")
        }
        return try await registerTopic(name, partitions: partitions, configs: configs, replicationFactor: replicationFactor,
                                       assignment: assignment, validateOnly: validateOnly)
    }

    /// Creates a topic after the name checks (`createTopic`, and the broker's own
    /// `__consumer_offsets`).
    func registerTopic(_ name: String, partitions: Int32?, configs: [String: String], replicationFactor: Int32?,
                       assignment: [[Int32]]?, validateOnly: Bool) async throws(BrokerError) -> TopicRecord {
        guard topicStates[name] == nil else { throw .topicAlreadyExists(name) }
        let count = assignment.map { Int32($0.count) } ?? partitions ?? config.defaultPartitions
        guard (1...100_000).contains(count) else {
            throw .invalidPartitions("number of partitions must be between 1 and 100000, got \(count)")
        }
        let configs = TopicConfigs.trimmed(configs)
        var problems = TopicConfigs.validate(configs)
        if problems.isEmpty { problems = TopicConfigs.validateCombination(configs) }
        guard problems.isEmpty else { throw .invalidConfig(problems.joined(separator: "; ")) }
        let replicas = try await plannedReplicas(partitions: 0..<count, replicationFactor: replicationFactor, assignment: assignment)
        let record = TopicRecord(name: name, partitionCount: count, configs: configs, createdAt: clock(), replicas: replicas)
        if validateOnly { return record }
        try checkDescriptors(forNewPartitions: (0..<count).filter { isLocal(record, $0) }.count, topic: name)
        // Storage first, registry second: a topic whose partitions cannot all open is never
        // registered. A concurrent create of the same name waits for this one (the actor
        // suspends while opening) rather than sharing, then deleting, these partitions.
        await waitWhileCreating(name)
        guard topicStates[name] == nil else { throw .topicAlreadyExists(name) }
        creatingTopics.insert(name)
        defer { finishCreating(name) }
        var opened: [Int32: Partition] = [:]
        do {
            opened = try await openLocalPartitions(record, 0..<count)
            try await metadata.createTopic(record)
        } catch {
            await discard(opened, topic: name)
            switch error {
            case let error as BrokerError: throw error
            case MetadataError.topicExists: throw .topicAlreadyExists(name)
            default: throw .storage("creating topic '\(name)' failed: \(error)")
            }
        }
        do {
            try await createPartitionStates(record, partitions: 0..<count)
        } catch {
            await discard(opened, topic: name)
            try? await coordinator?.deletePartitionStates(topic: name)
            try? await metadata.deleteTopic(named: name)
            throw .storage("creating topic '\(name)' failed: \(error)")
        }
        topicStates[name] = TopicState(record: record, partitions: opened)
        logger.info("created topic", metadata: ["topic": "\(name)", "partitions": "\(count)",
                                                "replicationFactor": "\(replicas.first?.count ?? 1)"])
        return record
    }

    /// Deletes a topic's registry entry (and in a cluster its partition states), then the
    /// data this broker holds; other brokers delete theirs when they see it gone.
    public func deleteTopic(_ name: String) async throws(BrokerError) {
        guard topicStates[name] != nil else { throw .unknownTopicOrPartition(name, nil) }
        if OffsetsTopic.isInternal(name) {
            throw .invalidTopic(name, reason: "it is an internal topic holding the consumer groups' offsets; it cannot be deleted")
        }
        let orphaned = await groups.committedPartitions(ofTopic: name)
        do {
            try await metadata.deleteTopic(named: name)
            try await coordinator?.deletePartitionStates(topic: name)
            await groups.logDeletedOffsets(orphaned)
        } catch MetadataError.unknownTopic {
            // Deleted through another broker a moment ago: finish the local part.
        } catch {
            throw .storage("deleting topic '\(name)' failed: \(error)")
        }
        do { try await dropLocal(name) } catch {
            throw .storage("deleting the data of topic '\(name)' failed: \(error)")
        }
        logger.info("deleted topic", metadata: ["topic": "\(name)"])
    }

    /// Forgets a topic and deletes the data this broker holds for it.
    func dropLocal(_ name: String) async throws {
        guard let state = topicStates.removeValue(forKey: name) else { return }
        for partition in state.partitions.values {
            await partition.shutdown()
            try await storage.delete(partition.topicPartition)
        }
    }

    /// Raises a topic's partition count to `total`; in a cluster the new partitions' replicas
    /// are spread like a new topic's with the topic's replication factor, or `assignment`.
    public func createPartitions(_ name: String, total: Int32, assignment: [[Int32]]? = nil,
                                 validateOnly: Bool = false) async throws(BrokerError) {
        guard let state = topicStates[name] else { throw .unknownTopicOrPartition(name, nil) }
        let current = state.record.partitionCount
        guard total > current else {
            throw .invalidPartitions("topic '\(name)' has \(current) partitions; the new count \(total) must be larger")
        }
        guard total <= 100_000 else { throw .invalidPartitions("at most 100000 partitions, got \(total)") }
        if let assignment, assignment.count != Int(total - current) {
            throw .invalidPartitions("\(assignment.count) replica assignments given for \(total - current) new partitions")
        }
        let added = try await plannedReplicas(partitions: current..<total,
                                              replicationFactor: state.record.replicas.first.map { Int32($0.count) },
                                              assignment: assignment)
        if validateOnly { return }
        var record = state.record
        record.partitionCount = total
        if !added.isEmpty { record.replicas = state.record.replicas + added }
        try checkDescriptors(forNewPartitions: (current..<total).filter { isLocal(record, $0) }.count, topic: name)
        // As for a new topic: the new partitions open first; the registry learns the new
        // count only when they all did, and is put back if a later step fails.
        await waitWhileCreating(name)
        guard topicStates[name]?.record.partitionCount == current else {
            throw .invalidPartitions("topic '\(name)' changed while these partitions were planned; retry")
        }
        creatingTopics.insert(name)
        defer { finishCreating(name) }
        var opened: [Int32: Partition] = [:]
        do {
            opened = try await openLocalPartitions(record, current..<total)
            try await metadata.setPartitionCount(topic: name, count: total, replicas: record.replicas)
        } catch {
            await discard(opened, topic: name)
            throw (error as? BrokerError) ?? .storage("adding partitions to '\(name)' failed: \(error)")
        }
        do {
            try await createPartitionStates(record, partitions: current..<total)
        } catch {
            await discard(opened, topic: name)
            try? await metadata.setPartitionCount(topic: name, count: current, replicas: state.record.replicas)
            throw .storage("adding partitions to '\(name)' failed: \(error)")
        }
        guard var latest = topicStates[name] else {
            await discard(opened, topic: name)
            throw .unknownTopicOrPartition(name, nil)   // deleted while the partitions opened
        }
        latest.partitions.merge(opened) { _, new in new }
        latest.record = record
        topicStates[name] = latest
    }

    /// Sets (or with nil, removes) topic config overrides.
    public func alterTopicConfigs(_ name: String, set changes: [String: String?], validateOnly: Bool = false) async throws(BrokerError) {
        guard var state = topicStates[name] else { throw .unknownTopicOrPartition(name, nil) }
        let changes = changes.mapValues { $0.map(TopicConfigs.trimmed) }
        var problems = TopicConfigs.validate(changes)
        if problems.isEmpty {
            var merged = state.record.configs
            for (key, value) in changes { merged[key] = value }
            problems = TopicConfigs.validateCombination(merged)
        }
        guard problems.isEmpty else { throw .invalidConfig(problems.joined(separator: "; ")) }
        if validateOnly { return }
        do { try await metadata.updateTopicConfigs(topic: name, set: changes) } catch {
            throw .storage("updating configs of '\(name)' failed: \(error)")
        }
        for (key, value) in changes { state.record.configs[key] = value }
        topicStates[name] = state
    }

    /// Topics by name for a metadata request: existing ones, auto-created ones when
    /// `allowAutoCreate` and the broker allows it, errors for the rest. `nil` = all.
    public func lookupTopics(_ names: [String]?, allowAutoCreate: Bool) async -> [(String, Result<TopicRecord, BrokerError>)] {
        guard let names else { return topics().map { ($0.name, .success($0)) } }
        var results: [(String, Result<TopicRecord, BrokerError>)] = []
        for name in names {
            if let record = topicStates[name] {
                results.append((name, .success(record.record)))
            } else if OffsetsTopic.isInternal(name) {
                // As Kafka: asking for the internal topic creates it, whatever autoCreateTopics says.
                do { results.append((name, .success(try await ensureOffsetsTopic()))) } catch { results.append((name, .failure(error))) }
            } else if allowAutoCreate && config.autoCreateTopics {
                do {
                    results.append((name, .success(try await createTopic(name))))
                } catch .topicAlreadyExists {
                    results.append((name, topicStates[name].map { .success($0.record) } ?? .failure(.unknownTopicOrPartition(name, nil))))
                } catch {
                    results.append((name, .failure(error)))
                }
            } else {
                results.append((name, .failure(.unknownTopicOrPartition(name, nil))))
            }
        }
        return results
    }

    // MARK: Producer ids

    /// A producer id for InitProducerId, unique across restarts of this broker (it starts
    /// from the start-up time in milliseconds shifted left 12 bits).
    public func allocateProducerId() -> Int64 {
        lastProducerId += 1
        return lastProducerId
    }

    // MARK: Fetch

    /// Reads from several partitions, waiting up to `maxWait` for `minBytes` to be
    /// available; the wait ends as soon as an append makes enough data readable. The wait
    /// is a `LongPollFetch`, which never holds the broker while it waits.
    public nonisolated func fetch(_ request: FetchRequest) async -> [FetchPartitionResult] {
        await LongPollFetch(broker: self, request: request).run()
    }

    public nonisolated var fetchChangeGeneration: UInt64 { fetchWakeups.current }

    public nonisolated func waitForFetchChanges(after generation: UInt64, until deadline: ContinuousClock.Instant) async {
        let wakeups = fetchWakeups
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await wakeups.wait(after: generation) }
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: Offsets

    /// Resolves an offset query (ListOffsets): earliest, latest, a timestamp, or the
    /// record with the largest timestamp.
    public func listOffset(_ tp: TopicPartition, _ spec: OffsetSpec) async throws(BrokerError) -> (offset: Int64, timestamp: Int64) {
        guard let partition = partition(tp) else { throw .unknownTopicOrPartition(tp.topic, tp.partition) }
        do {
            switch spec {
            case .earliest:
                return (await partition.logStartOffset, -1)
            case .latest:
                return (await partition.highWatermark, -1)
            case .lastStable:
                return (try await partition.loadedLastStableOffset(), -1)
            case .timestamp(let target):
                guard let position = try await partition.batch(atOrAfterTimestamp: target) else { return (-1, -1) }
                let records = try await records(of: position, in: partition)
                if let hit = records?.first(where: { $0.timestamp >= target }) { return (hit.offset, hit.timestamp) }
                return (position.baseOffset, position.maxTimestamp)
            case .maxTimestamp:
                guard let position = try await partition.batchWithMaxTimestamp() else { return (-1, -1) }
                let records = try await records(of: position, in: partition)
                if let hit = records?.max(by: { $0.timestamp < $1.timestamp }) { return (hit.offset, hit.timestamp) }
                return (position.lastOffset, position.maxTimestamp)
            }
        } catch let error as BrokerError {
            throw error
        } catch {
            throw .storage("\(error)")
        }
    }

    /// Records of one uncompressed batch, or nil for compressed ones (offsets then fall
    /// back to batch granularity, which clients accept).
    private func records(of position: LogBatchPosition, in partition: Partition) async throws -> [Record]? {
        let read = try await partition.read(from: position.baseOffset, maxBytes: 1, minOneBatch: true)
        guard let batch = try RecordBatch.parse(read.payload.load(), verifyCRC: false).first,
              batch.compression == .none else { return nil }
        return try batch.records()
    }

    // MARK: Groups

    /// Per partition of a group's committed offsets: committed, log end and lag
    /// (log end − committed, never negative), as `groups describe` shows them.
    public func groupLag(_ groupId: String) async throws -> [GroupPartitionLag] {
        let committed = try await groups.fetchOffsets(groupId: groupId, partitions: nil)
        var result: [GroupPartitionLag] = []
        for (tp, offset) in committed.sorted(by: { $0.key < $1.key }) {
            let end = await partition(tp)?.highWatermark
            result.append(GroupPartitionLag(topicPartition: tp, committed: offset.offset, logEndOffset: end,
                                            lag: end.map { max(0, $0 - offset.offset) }))
        }
        return result
    }

    // MARK: Retention

    /// Applies retention to every partition with its topic's policy.
    @discardableResult
    public func applyRetention() async -> Int64 {
        var deleted: Int64 = 0
        let now = clock()
        for state in topicStates.values {
            let policy = state.settings.retention(defaults: storage.defaultRetention)
            for partition in state.partitions.values {
                do {
                    let result = try await partition.applyRetention(policy, now: now)
                    deleted += result.deletedBytes
                    if result.logStartOffset != result.previousLogStartOffset {
                        logger.info("retention advanced log start", metadata: [
                            "partition": "\(partition.topicPartition)", "logStartOffset": "\(result.logStartOffset)",
                            "deletedBytes": "\(result.deletedBytes)",
                        ])
                    }
                } catch {
                    logger.error("retention failed for \(partition.topicPartition): \(error)")
                }
            }
        }
        return deleted
    }
}

/// Which offset a ListOffsets query asks for.
public enum OffsetSpec: Sendable, Equatable {
    case earliest, latest, maxTimestamp
    /// The last stable offset (ListOffsets latest with read_committed).
    case lastStable
    /// The first record at or after this time (milliseconds since the epoch).
    case timestamp(Int64)
}

/// One partition of a consumer group's progress.
public struct GroupPartitionLag: Sendable, Equatable {
    public var topicPartition: TopicPartition
    public var committed: Int64
    /// nil when the topic or partition no longer exists.
    public var logEndOffset: Int64?
    public var lag: Int64?
}
