import Foundation
import Logging

/// The transaction coordinator (KIP-98, KIP-447, with the checks of KIP-890 part 1): the
/// state of every transactional id it coordinates, stored in the `MetadataStore` before
/// any answer that depends on it, and the completion of transactions by writing commit or
/// abort markers into their partitions through a `TransactionMarkerWriter`.
///
/// Requests on one transactional id run one at a time (`exclusive`); marker writing runs
/// outside that section, so that requests arriving meanwhile get CONCURRENT_TRANSACTIONS
/// instead of waiting.
public actor TransactionCoordinator {
    let metadata: any MetadataStore
    let config: TransactionCoordinatorConfig
    let logger: Logger
    nonisolated let clusterView: ClusterView?
    let clock: @Sendable () -> Date
    /// Hands out producer ids unique across restarts (the broker's InitProducerId allocator).
    var producerIds: (@Sendable () async -> Int64)?
    var markers: (any TransactionMarkerWriter)?
    var offsetsCompleter: (any TransactionalOffsetsCompleter)?

    /// Every loaded transactional id's state, as last stored.
    var states: [String: TransactionStateRecord] = [:]
    /// Producer id → transactional id, for verification.
    var byProducerId: [Int64: String] = [:]
    /// Transactional ids with a request in its exclusive section, and who waits for them.
    var busy: Set<String> = []
    var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// The marker-writing attempt running for each transactional id.
    var completionAttempts: [String: Task<Bool, Never>] = [:]
    /// Background retries of completions whose markers could not all be written yet.
    var completionRetries: [String: Task<Void, Never>] = [:]
    /// The cluster view's coordination signature when the stored states were last adopted
    /// (cluster mode): a change means this broker may coordinate other ids now.
    var adoptedSignature: [Int32]?
    private var ticker: Task<Void, Never>?
    var stopped = false

    /// - Parameter clock: the wall clock for transaction timeouts (tests inject one).
    public init(metadata: any MetadataStore, config: TransactionCoordinatorConfig = TransactionCoordinatorConfig(), logger: Logger,
                clusterView: ClusterView? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.metadata = metadata
        self.config = config
        self.logger = logger
        self.clusterView = clusterView
        self.clock = clock
    }

    /// Sets where producer ids come from and who applies staged group offsets; until then
    /// requests get COORDINATOR_NOT_AVAILABLE.
    public func attach(producerIds: @escaping @Sendable () async -> Int64, offsets: (any TransactionalOffsetsCompleter)?) {
        self.producerIds = producerIds
        self.offsetsCompleter = offsets
    }

    /// Sets who writes markers into partitions; until then completions wait and retry.
    public func attach(markers: any TransactionMarkerWriter) {
        self.markers = markers
    }

    /// Loads the stored state, finishes every commit or abort a crash interrupted, and
    /// starts the timer that aborts transactions past their timeout and removes
    /// transactional ids past `transactionalIdExpirationMs`.
    public func start() async throws {
        stopped = false
        adoptedSignature = await clusterView?.coordinationSignature()
        for record in try await metadata.transactions() where await coordinates(record.transactionalId) {
            remember(record)
            if record.status.isCompleting {
                logger.info("completing transaction left \(record.status.rawValue) by a restart",
                            metadata: ["transactionalId": "\(record.transactionalId)"])
                scheduleCompletion(record.transactionalId)
            }
        }
        guard ticker == nil else { return }
        let interval = Duration.milliseconds(config.abortTimedOutIntervalMs)
        let removalInterval = Duration.milliseconds(min(config.removeExpiredIdsIntervalMs, config.transactionalIdExpirationMs))
        ticker = Task { [weak self] in
            var lastRemoval = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.followCoordination()
                await self?.abortExpired()
                if ContinuousClock.now - lastRemoval >= removalInterval {
                    lastRemoval = .now
                    await self?.removeExpiredTransactionalIds()
                }
            }
        }
    }

    /// Stops the timer and the completion retries (a restart resumes them from the store).
    public func shutdown() {
        stopped = true
        ticker?.cancel()
        ticker = nil
        for task in completionRetries.values { task.cancel() }
        completionRetries.removeAll()
    }

    /// Whether this broker coordinates `transactionalId` (always on a single node).
    public func coordinates(_ transactionalId: String) async -> Bool {
        guard let clusterView else { return true }
        return await clusterView.groupCoordinator(for: transactionalId)?.id == clusterView.localBroker
    }

    // MARK: State

    func remember(_ record: TransactionStateRecord) {
        if let old = states[record.transactionalId], old.producerId != record.producerId {
            byProducerId.removeValue(forKey: old.producerId)
        }
        states[record.transactionalId] = record
        byProducerId[record.producerId] = record.transactionalId
    }

    /// The current state of `id`: the cache on one node; in a cluster, re-read from the
    /// store, since another broker may have coordinated it since.
    func current(_ id: String) async throws(TransactionError) -> TransactionStateRecord? {
        if clusterView == nil, let cached = states[id] { return cached }
        do {
            guard let stored = try await metadata.transaction(id) else { return nil }
            remember(stored)
            return stored
        } catch {
            throw .storage("\(error)")
        }
    }

    /// Stores `record` and only then makes it the state answers come from.
    func persist(_ record: TransactionStateRecord) async throws(TransactionError) {
        var record = record
        record.partitions.sort()
        record.groups.sort()
        do {
            try await metadata.saveTransaction(record)
        } catch {
            logger.error("storing the state of transactional id \(record.transactionalId) failed: \(error)")
            throw .storage("\(error)")
        }
        remember(record)
    }

    /// Runs `body` while no other request on `id` runs.
    func exclusive<T>(_ id: String, _ body: () async -> T) async -> T {
        while busy.contains(id) {
            await withCheckedContinuation { waiters[id, default: []].append($0) }
        }
        busy.insert(id)
        defer {
            busy.remove(id)
            if var queue = waiters[id], !queue.isEmpty {
                queue.removeFirst().resume()
                waiters[id] = queue.isEmpty ? nil : queue
            }
        }
        return await body()
    }

    func allocateProducerId() async throws(TransactionError) -> Int64 {
        guard let producerIds else { throw .coordinatorNotAvailable }
        return await producerIds()
    }

    /// The next epoch after `record`'s, or a new producer id at epoch 0 when the epoch is
    /// exhausted (it never wraps past Int16.max).
    func bumped(_ record: TransactionStateRecord) async throws(TransactionError) -> (producerId: Int64, epoch: Int16, last: Int16) {
        if record.producerEpoch >= Int16.max - 1 {
            return (try await allocateProducerId(), 0, -1)
        }
        return (record.producerId, record.producerEpoch + 1, record.producerEpoch)
    }
}
