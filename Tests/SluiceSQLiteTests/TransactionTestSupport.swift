import Foundation
import Logging
import SluiceKernel
import SluiceSQLite
import Synchronization

/// A marker writer that records every marker and can fail partitions or hold every write
/// until released: the seam `TransactionCoordinator` completes transactions through.
actor RecordingMarkers: TransactionMarkerWriter {
    private(set) var written: [(TransactionMarker, [TopicPartition])] = []
    var failing: Set<TopicPartition> = []
    private var held = false
    private var heldWriters: [CheckedContinuation<Void, Never>] = []
    private var arrivals: [CheckedContinuation<Void, Never>] = []

    func writeMarkers(_ marker: TransactionMarker, partitions: [TopicPartition]) async -> [TopicPartition: BrokerError] {
        if held {
            for arrival in arrivals { arrival.resume() }
            arrivals.removeAll()
            await withCheckedContinuation { heldWriters.append($0) }
        }
        let failed = partitions.filter(failing.contains)
        if failed.isEmpty { written.append((marker, partitions)) }
        return Dictionary(uniqueKeysWithValues: failed.map { ($0, BrokerError.notLeaderOrFollower($0, leader: nil)) })
    }

    func setFailing(_ partitions: Set<TopicPartition>) { failing = partitions }

    /// Makes later writes wait for `release()`.
    func hold() { held = true }

    /// Returns once a write is waiting (bounded by the caller's test timeout).
    func waitForHeldWrite() async {
        if !heldWriters.isEmpty { return }
        await withCheckedContinuation { arrivals.append($0) }
    }

    func release() {
        held = false
        for writer in heldWriters { writer.resume() }
        heldWriters.removeAll()
    }
}

/// Producer ids counting up from 1000.
actor ProducerIds {
    private var next: Int64 = 1_000
    func allocate() -> Int64 {
        next += 1
        return next
    }
}

/// A wall clock the test moves by hand.
final class ManualClock: Sendable {
    private let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    func read() -> Date { now.withLock { $0 } }
    func advance(ms: Int) { now.withLock { $0 = $0.addingTimeInterval(Double(ms) / 1000) } }
}

/// A coordinator on a real SQLite file, with its group coordinator, markers and clock.
struct TransactionRig {
    let store: SQLiteMetadataStore
    let coordinator: TransactionCoordinator
    let groups: GroupCoordinator
    let markers: RecordingMarkers
    let clock: ManualClock

    static func open(_ dir: URL, markers: RecordingMarkers = RecordingMarkers(), clock: ManualClock = ManualClock(),
                     ids: ProducerIds = ProducerIds(), start: Bool = true,
                     transactionalIdExpirationMs: Int64 = 604_800_000) async throws -> TransactionRig {
        let store = try SQLiteMetadataStore(url: dir.appendingPathComponent("metadata.sqlite"))
        let logger = Logger(label: "txn-test")
        var groupConfig = GroupCoordinatorConfig()
        groupConfig.initialRebalanceDelayMs = 0
        let groups = GroupCoordinator(metadata: store, config: groupConfig, logger: logger)
        var config = TransactionCoordinatorConfig()
        config.abortTimedOutIntervalMs = 3_600_000   // the tests call abortExpired themselves
        config.markerRetryBackoffMs = 10
        config.transactionalIdExpirationMs = transactionalIdExpirationMs
        let coordinator = TransactionCoordinator(metadata: store, config: config, logger: logger, clock: { clock.read() })
        await coordinator.attach(producerIds: { await ids.allocate() }, offsets: groups)
        await coordinator.attach(markers: markers)
        if start { try await coordinator.start() }
        return TransactionRig(store: store, coordinator: coordinator, groups: groups, markers: markers, clock: clock)
    }

    func close() async throws {
        await coordinator.shutdown()
        try await store.close()
    }

    /// InitProducerId that must succeed.
    func initProducer(_ id: String, timeoutMs: Int32 = 60_000, expected: TransactionalProducer? = nil) async throws -> TransactionalProducer {
        try await coordinator.initProducerId(transactionalId: id, timeoutMs: timeoutMs, expected: expected).get()
    }

    /// AddPartitionsToTxn's first error, or nil when every partition was added.
    func add(_ id: String, _ producer: TransactionalProducer, _ partitions: [TopicPartition]) async -> TransactionError? {
        await coordinator.addPartitions(transactionalId: id, producerId: producer.producerId, producerEpoch: producer.producerEpoch,
                                        partitions: partitions, verifyOnly: false).values.compactMap { $0 }.first
    }

    func end(_ id: String, _ producer: TransactionalProducer, commit: Bool) async -> TransactionError? {
        await coordinator.endTransaction(transactionalId: id, producerId: producer.producerId, producerEpoch: producer.producerEpoch, commit: commit)
    }

    func state(_ id: String) async throws -> TransactionStateRecord? { try await store.transaction(id) }
}

/// Polls `condition` every 10 ms for at most `seconds`.
func eventually(seconds: Double = 5, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
