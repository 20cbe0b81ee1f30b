import Foundation
import KafkaWire
import SluiceKernel

// Incremental fetch sessions (KIP-227), following the rules of Kafka's FetchSession.
// A session remembers the partitions a fetcher reads, so its later requests name only
// what changed and the responses carry only partitions with something new.

/// The epochs of Kafka's FetchMetadata.
enum FetchSessionEpoch {
    /// A full request that opens a session (or asks for one).
    static let initial: Int32 = 0
    /// A full request that closes its session and wants none.
    static let final: Int32 = -1
    /// No session (the id a response carries when it keeps none).
    static let noSession: Int32 = 0

    /// The epoch after `epoch`: -1 stays -1, and `Int32.max` wraps to 1 (0 means "full").
    static func next(_ epoch: Int32) -> Int32 {
        epoch < 0 ? final : epoch == .max ? 1 : epoch + 1
    }
}

/// A partition of a session: by topic id in sessions of Fetch v13+ (name ""), by name in
/// v7–12 (id zero). The name is resolved again on each fetch, so a deleted topic shows.
struct FetchSessionKey: Hashable, Sendable {
    var topicId: UUID
    var topic: String
    var partition: Int32
}

/// What a fetch found for one partition, as far as a session cares: whether to send it.
struct FetchedPartitionState: Sendable {
    var hasRecords: Bool
    var errorCode: Int16
    var highWatermark: Int64
    var lastStableOffset: Int64
    var logStartOffset: Int64
    /// The kernel's mark of a read that found nothing, for skipping the partition next time.
    var mark: PartitionFetchMark?

    init(hasRecords: Bool, errorCode: Int16, highWatermark: Int64, lastStableOffset: Int64, logStartOffset: Int64,
         mark: PartitionFetchMark?) {
        self.hasRecords = hasRecords
        self.errorCode = errorCode
        self.highWatermark = highWatermark
        self.lastStableOffset = lastStableOffset
        self.logStartOffset = logStartOffset
        self.mark = mark
    }

    init(_ partition: FetchResponse.Partition, mark: PartitionFetchMark? = nil) {
        hasRecords = (partition.records?.byteCount ?? 0) > 0
        errorCode = partition.errorCode
        highWatermark = partition.highWatermark
        lastStableOffset = partition.lastStableOffset
        logStartOffset = partition.logStartOffset
        self.mark = mark
    }
}

/// One partition as a session keeps it: the fetcher's last request for it, and the
/// offsets last sent back.
struct CachedFetchPartition: Sendable {
    /// The fetch parameters of the last request that named the partition.
    var request: FetchRequest.Partition
    /// The high watermark last sent; -1 before any and after an error, so the partition
    /// is sent again once the error clears.
    var highWatermark: Int64 = -1
    var lastStableOffset: Int64 = -1
    var logStartOffset: Int64 = -1
    /// The mark of the last read, while it found nothing: the next fetch passes it to the
    /// kernel, which answers from it (no read) while the partition is unchanged.
    var mark: PartitionFetchMark?

    init(_ request: FetchRequest.Partition) { self.request = request }

    /// Whether a response of the session must carry the partition (new records, changed
    /// high watermark, last stable or log start offset, or an error); records what is sent.
    mutating func mustRespond(_ fetched: FetchedPartitionState) -> Bool {
        mark = fetched.mark
        var must = fetched.hasRecords
        if highWatermark != fetched.highWatermark {
            must = true
            highWatermark = fetched.highWatermark
        }
        if lastStableOffset != fetched.lastStableOffset {
            must = true
            lastStableOffset = fetched.lastStableOffset
        }
        if logStartOffset != fetched.logStartOffset {
            must = true
            logStartOffset = fetched.logStartOffset
        }
        if fetched.errorCode != 0 {
            must = true
            highWatermark = -1
        }
        return must
    }
}

/// One fetch session. Values of it live only inside `FetchSessionCache`, which changes them
/// in place. The partitions sit in slots that keep their place while the partition stays,
/// so that an incremental fetch walks them in order without hashing a key per partition.
struct FetchSession: Sendable {
    /// Positive and unique on this broker.
    let id: Int32
    /// Opened by a follower (replica fetch); privileged sessions are evicted last.
    let privileged: Bool
    /// Opened with Fetch v13+ (partitions by topic id); later requests must agree.
    let usesTopicIds: Bool
    /// Milliseconds on the cache's clock.
    let createdMs: Int64
    var lastUsedMs: Int64
    /// The epoch the next incremental request must carry.
    var epoch: Int32
    /// The partitions (keys and cached state), by slot.
    private var keys: [FetchSessionKey] = []
    private var cached: [CachedFetchPartition] = []
    private var slots: [FetchSessionKey: Int] = [:]
    /// The slots in fetch order: those just sent move to the end, so that a response cut
    /// short by max bytes starts with the others next time.
    private var order: [Int] = []
    /// The partition count when last touched (what the cache's totals and eviction use).
    var cachedSize = 0
    /// Whether, when last touched, a new unprivileged (resp. privileged) session could evict it.
    var evictableByAll = false
    var evictableByPrivileged = false

    init(id: Int32, privileged: Bool, usesTopicIds: Bool, now: Int64) {
        self.id = id
        self.privileged = privileged
        self.usesTopicIds = usesTopicIds
        self.createdMs = now
        self.lastUsedMs = now
        self.epoch = FetchSessionEpoch.next(FetchSessionEpoch.initial)
    }

    /// Partitions held.
    var count: Int { keys.count }

    /// Adds a partition at the end of the order, or replaces the fetch parameters of one
    /// held; returns its slot.
    @discardableResult
    mutating func put(_ key: FetchSessionKey, _ request: FetchRequest.Partition) -> Int {
        if let slot = slots[key] {
            cached[slot].request = request
            return slot
        }
        let slot = keys.count
        keys.append(key)
        cached.append(CachedFetchPartition(request))
        slots[key] = slot
        order.append(slot)
        return slot
    }

    /// Records what the full fetch that opened the session sent for a partition.
    mutating func opened(_ key: FetchSessionKey, _ request: FetchRequest.Partition, _ fetched: FetchedPartitionState) {
        guard slots[key] == nil else { return }
        let slot = put(key, request)
        _ = cached[slot].mustRespond(fetched)
    }

    /// Applies an incremental request: named partitions are added or their fetch
    /// parameters replaced; forgotten ones are dropped.
    mutating func update(_ requested: [(FetchSessionKey, FetchRequest.Partition)], forgotten: [FetchSessionKey]) {
        for (key, partition) in requested { put(key, partition) }
        let gone = Set(forgotten.compactMap { slots[$0] })
        guard !gone.isEmpty else { return }
        // Compact the slots, keeping the order of those that stay.
        var renumbered = [Int](repeating: -1, count: keys.count)
        var newKeys: [FetchSessionKey] = []
        var newCached: [CachedFetchPartition] = []
        for slot in keys.indices where !gone.contains(slot) {
            renumbered[slot] = newKeys.count
            newKeys.append(keys[slot])
            newCached.append(cached[slot])
        }
        order = order.compactMap { renumbered[$0] >= 0 ? renumbered[$0] : nil }
        keys = newKeys
        cached = newCached
        slots = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
    }

    /// The partitions, in fetch order, that a fetch must read: those whose last read's mark
    /// no longer holds (new data, a moved offset, an error, or no mark), leaving out the
    /// slots in `skipping`. A quiet partition costs one atomic load here and nothing after.
    /// `readCommitted`: the request's isolation level is read_committed.
    func stale(readCommitted: Bool, skipping: Set<Int> = []) -> [SessionRead] {
        var reads: [SessionRead] = []
        for slot in order where skipping.isEmpty || !skipping.contains(slot) {
            let holds = cached[slot].mark?.holds(offset: cached[slot].request.fetchOffset,
                                                 currentLeaderEpoch: cached[slot].request.currentLeaderEpoch,
                                                 readCommitted: readCommitted) ?? false
            if !holds { reads.append(SessionRead(slot: slot, key: keys[slot], request: cached[slot].request)) }
        }
        return reads
    }

    /// Records what an incremental fetch read (by slot); returns the slots its response
    /// carries, in fetch order, and moves them to the end of the order. Slots not read
    /// were unchanged since their marks, so they are not sent.
    mutating func select(_ reads: [Int: FetchedPartitionState]) -> [Int] {
        var sent = Set<Int>()
        for (slot, state) in reads where slot < cached.count && cached[slot].mustRespond(state) { sent.insert(slot) }
        guard !sent.isEmpty else { return [] }
        var stay: [Int] = []
        var moved: [Int] = []
        stay.reserveCapacity(order.count)
        for slot in order {
            if sent.contains(slot) { moved.append(slot) } else { stay.append(slot) }
        }
        order = stay + moved
        return moved
    }
}

/// A partition of a session that an incremental fetch reads: its slot in the session, its
/// key and its fetch parameters.
struct SessionRead: Sendable {
    let slot: Int
    let key: FetchSessionKey
    let request: FetchRequest.Partition
}
