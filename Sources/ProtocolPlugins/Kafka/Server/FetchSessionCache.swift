import Foundation
import KafkaWire
import Metrics
import SluiceKernel

/// What a Fetch request is to the session cache.
enum FetchSessionPlan: Sendable {
    /// Read the partitions the request names; the response carries session id 0.
    case sessionless
    /// Read the partitions the request names, then offer them to `create` as a new session.
    case full
    /// Read these partitions of the session (in fetch order: those whose marks no longer
    /// hold; `skipped` others are unchanged and not read) and ask `select` which to send.
    case incremental(id: Int32, reads: [SessionRead], skipped: Int)
    /// Answer with this top-level error, no partitions and session id 0.
    case failed(KafkaErrorCode)
}

/// The incremental fetch sessions of one Kafka server, with Kafka's limits and eviction
/// rules (`max.incremental.fetch.session.cache.slots`,
/// `min.incremental.fetch.session.eviction.ms`). A new session may take the place of one
/// that is stale (unused for longer than the eviction time), or else of the least
/// valuable evictable one: unprivileged before privileged (followers'), fewer partitions
/// first, and only sessions older than the eviction time (when last used). Eviction scans
/// the sessions, which happens only when a session is created in a full cache.
actor FetchSessionCache {
    /// Sessions kept at most; 0 keeps none. Kafka's default 1000.
    let slots: Int
    /// Milliseconds a new session is protected from eviction, and after which an unused one
    /// is stale. Kafka's default 120000.
    let evictionMs: Int64
    private var sessions: [Int32: FetchSession] = [:]
    private var cachedPartitions = 0
    private let origin = ContinuousClock.now
    private let sessionGauge = Gauge(label: "sluice_kafka_fetch_sessions")
    private let partitionGauge = Gauge(label: "sluice_kafka_fetch_session_partitions")
    private let evictionCounter = Counter(label: "sluice_kafka_fetch_session_evictions_total")

    init(slots: Int = 1000, evictionMs: Int64 = 120_000) {
        self.slots = slots
        self.evictionMs = evictionMs
    }

    /// Milliseconds since the cache was made (a monotonic clock for `now` arguments).
    nonisolated func milliseconds() -> Int64 {
        let elapsed = ContinuousClock.now - origin
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }

    /// Sessions held.
    var count: Int { sessions.count }
    /// Partitions held across sessions (as of each session's last use).
    var partitionCount: Int { cachedPartitions }

    /// Decides how to serve a request carrying `sessionId`/`epoch`, as Kafka's FetchManager
    /// does: a full request (epoch 0 or -1) closes the session it names; an incremental one
    /// must name a known session, in the same topic-id mode, at its expected epoch, and
    /// then updates it and advances its epoch. `readCommitted`: the request's isolation level
    /// (a partition's mark from a read_committed read does not answer read_uncommitted).
    func begin(sessionId: Int32, epoch: Int32, usesTopicIds: Bool, readCommitted: Bool,
               requested: [(FetchSessionKey, FetchRequest.Partition)], forgotten: [FetchSessionKey],
               now: Int64) -> FetchSessionPlan {
        if epoch == FetchSessionEpoch.initial || epoch == FetchSessionEpoch.final {
            if sessionId != FetchSessionEpoch.noSession { remove(sessionId) }
            return epoch == FetchSessionEpoch.final ? .sessionless : .full
        }
        // Only scalars are read out: a copy of the session would make the changes below copy
        // its partitions.
        guard let found = sessions[sessionId].map({ (usesTopicIds: $0.usesTopicIds, epoch: $0.epoch) }) else {
            return .failed(.fetchSessionIdNotFound)
        }
        guard found.usesTopicIds == usesTopicIds else { return .failed(.fetchSessionTopicIdError) }
        guard found.epoch == epoch else { return .failed(.invalidFetchSessionEpoch) }
        // Changed in place (through the dictionary's subscript), never copied.
        sessions[sessionId]!.update(requested, forgotten: forgotten)
        if sessions[sessionId]!.count == 0 {
            remove(sessionId)
            return .sessionless
        }
        sessions[sessionId]!.epoch = FetchSessionEpoch.next(epoch)
        touch(sessionId, now: now)
        let reads = sessions[sessionId]!.stale(readCommitted: readCommitted)
        return .incremental(id: sessionId, reads: reads, skipped: sessions[sessionId]!.count - reads.count)
    }

    /// After a full fetch: opens a session of `partitions` if there is room or one can be
    /// evicted. Returns its id, or 0 when none was opened.
    func create(privileged: Bool, usesTopicIds: Bool,
                partitions: [(FetchSessionKey, FetchRequest.Partition, FetchedPartitionState)], now: Int64) -> Int32 {
        guard sessions.count < slots || evict(privileged: privileged, size: partitions.count, now: now) else { return 0 }
        var id: Int32
        repeat { id = Int32.random(in: 1...Int32.max) } while sessions[id] != nil
        var session = FetchSession(id: id, privileged: privileged, usesTopicIds: usesTopicIds, now: now)
        for (key, request, fetched) in partitions { session.opened(key, request, fetched) }
        sessions[id] = session
        touch(id, now: now)
        return id
    }

    /// During an incremental fetch's long poll, after a wake-up: the session's partitions
    /// whose marks no longer hold, leaving out `skipping` (slots this fetch already read and
    /// found unchanged). Nil when the session is gone or another request moved its epoch.
    func stale(id: Int32, requestEpoch: Int32, readCommitted: Bool, skipping: Set<Int>) -> [SessionRead]? {
        guard let epoch = sessions[id]?.epoch, epoch == FetchSessionEpoch.next(requestEpoch) else { return nil }
        return sessions[id]!.stale(readCommitted: readCommitted, skipping: skipping)
    }

    /// After an incremental fetch: records what it read (by slot, as `begin` and `stale`
    /// gave them) and returns the slots its response carries, in fetch order; nil when
    /// another request moved the session's epoch meanwhile (a duplicate request:
    /// INVALID_FETCH_SESSION_EPOCH). A session evicted meanwhile sends everything read.
    func select(id: Int32, requestEpoch: Int32, reads: [Int: FetchedPartitionState]) -> [Int]? {
        guard let epoch = sessions[id]?.epoch else { return reads.keys.sorted() }
        guard epoch == FetchSessionEpoch.next(requestEpoch) else { return nil }
        return sessions[id]!.select(reads)
    }

    /// Whether the session exists (tests).
    func contains(_ id: Int32) -> Bool { sessions[id] != nil }

    private func touch(_ id: Int32, now: Int64) {
        guard let found = sessions[id].map({ (count: $0.count, size: $0.cachedSize, created: $0.createdMs, privileged: $0.privileged) })
        else { return }
        cachedPartitions += found.count - found.size
        let old = now - found.created > evictionMs
        sessions[id]!.lastUsedMs = now
        sessions[id]!.cachedSize = found.count
        sessions[id]!.evictableByAll = old
        sessions[id]!.evictableByPrivileged = old || !found.privileged
        recordSizes()
    }

    private func remove(_ id: Int32) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        cachedPartitions -= session.cachedSize
        recordSizes()
    }

    /// Kafka's FetchSessionCache.tryEvict: the stalest session goes if unused for longer
    /// than `evictionMs`; otherwise the least valuable evictable one goes if the new
    /// session (`privileged`, `size` partitions) is worth at least as much.
    private func evict(privileged: Bool, size: Int, now: Int64) -> Bool {
        guard let stalest = sessions.values.min(by: { ($0.lastUsedMs, $0.id) < ($1.lastUsedMs, $1.id) }) else { return false }
        if now - stalest.lastUsedMs > evictionMs {
            remove(stalest.id)
            evictionCounter.increment()
            return true
        }
        func rank(_ session: FetchSession) -> (Int, Int, Int32) { (session.privileged ? 1 : 0, session.cachedSize, session.id) }
        let candidates = sessions.values.filter { privileged ? $0.evictableByPrivileged : $0.evictableByAll }
        guard let cheapest = candidates.min(by: { rank($0) < rank($1) }) else { return false }
        // The new session ranks with id 0: it must hold more partitions, or be privileged
        // where the cheapest is not, to take the place.
        guard !((privileged ? 1 : 0, size, Int32(0)) < rank(cheapest)) else { return false }
        remove(cheapest.id)
        evictionCounter.increment()
        return true
    }

    private func recordSizes() {
        sessionGauge.record(sessions.count)
        partitionGauge.record(cachedPartitions)
    }
}
