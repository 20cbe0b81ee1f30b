import Foundation
import NIOCore

/// One topic-partition as the broker serves it: its log, its high watermark, the fetches
/// waiting for data and the idempotent producers' sequence state.
///
/// Log end offset and high watermark are kept apart: on one node they are equal once an
/// append returns, but replication advances the high watermark only when followers have
/// the records.
public actor Partition {
    public nonisolated let topicPartition: TopicPartition
    /// Throughput counters of this partition's topic, made once here.
    nonisolated let metrics: PartitionMetrics
    let log: any PartitionLog
    /// Moves whenever a consumer's fetch answer could differ (see `PartitionChanges`).
    nonisolated let changes: PartitionChanges
    public internal(set) var highWatermark: Int64 { didSet { if highWatermark != oldValue { changes.bump() } } }
    public internal(set) var logStartOffset: Int64 { didSet { if logStartOffset != oldValue { changes.bump() } } }
    public internal(set) var logEndOffset: Int64
    /// Every change may move the last stable offset, which fetch answers carry.
    var producers = ProducerStateTable() { didSet { noteStableOffset() } }
    /// Whether `producers` was rebuilt from the log's tail: on the first append, not at
    /// open, so that a node of many idle partitions reads none of them to start.
    var producerStateLoaded = false
    /// KIP-890 verification guards: producer id → the epoch and guard a transactional
    /// produce was verified with (see `beginVerification`); a marker clears them.
    var verificationGuards: [Int64: (epoch: Int16, token: UInt64)] = [:]
    var nextVerificationGuard: UInt64 = 0
    /// Transactions ended by a marker the high watermark has not passed yet (cluster mode):
    /// they still hold the last stable offset back.
    var unreplicatedCompletions: [ProducerStateTable.Completion] = [] { didSet { noteStableOffset() } }
    /// The last stable offset when a change last looked (`noteStableOffset`); -1 at first.
    var stableOffsetSeen: Int64 = -1
    /// The producer-state scan start as storage holds it (`storeProducerStateScanStart`):
    /// at or below the first offset of every open transaction, so a rebuild from there
    /// finds them all, however long ago they began.
    var storedScanStart: Int64?
    /// Consumer fetches waiting for data past `offset`: below the high watermark, or below
    /// the last stable offset for a read_committed one.
    var waiters: [UInt64: (offset: Int64, committed: Bool, continuation: CheckedContinuation<Void, Never>)] = [:]
    var nextWaiterID: UInt64 = 0
    /// Appends run one at a time, in arrival order: the actor would otherwise interleave
    /// two appends at the storage `await`, and sequence checks must see the previous
    /// batch recorded.
    private var appendInProgress = false
    private var appendQueue: [CheckedContinuation<Void, Never>] = []

    // Replication (cluster mode; see Partition+Leader.swift and Partition+Follower.swift).
    /// False on a single node: the partition is its own leader and nothing below is used.
    var clustered = false { didSet { changes.bump() } }
    /// Set while this broker leads the partition in cluster mode.
    var leadership: LeaderState? { didSet { changes.bump() } }
    /// Set while this broker follows (leader -1: no leader known yet).
    var following: FollowerState? { didSet { changes.bump() } }
    var epochCache = LeaderEpochCache()
    /// Follower fetches waiting for the log end to pass an offset.
    var logEndWaiters: [UInt64: (offset: Int64, continuation: CheckedContinuation<Void, Never>)] = [:]
    /// acks=all produces waiting for the high watermark.
    var ackWaiters: [UInt64: AckWaiter] = [:]
    /// Told when the leader wants the ISR rewritten (set by the ReplicaManager).
    var isrChangeListener: (@Sendable (TopicPartition) -> Void)?

    init(log: any PartitionLog, wakeups: FetchWakeups) async throws {
        self.topicPartition = log.topicPartition
        self.log = log
        self.changes = PartitionChanges(wakeups: wakeups)
        self.metrics = PartitionMetrics(topic: log.topicPartition.topic)
        let offsets = try await log.offsets()
        self.logStartOffset = offsets.logStartOffset
        self.logEndOffset = offsets.logEndOffset
        self.highWatermark = offsets.logEndOffset
    }

    /// Records at the log's end read before the first append to rebuild the idempotent producers'
    /// sequences (from further back when storage's scan start says a transaction may be
    /// open there). A producer retrying, after a restart, a batch that was written before
    /// the crash but never acknowledged gets the original offsets instead of a second copy,
    /// as long as the batch is among these last records (an in-flight batch always is,
    /// unless this many records were appended after it before the crash).
    static let producerStateScanRecords: Int64 = 16_384

    func loadProducerStateIfNeeded() async throws {
        if !producerStateLoaded { try await rebuildProducerState() }
    }

    /// Forgets the producers' state and reads it again from the log's tail.
    func rebuildProducerState() async throws {
        producers = ProducerStateTable()
        unreplicatedCompletions = []
        producerStateLoaded = false
        let window = logEndOffset - Self.producerStateScanRecords
        let hint = try await log.producerStateScanStart()
        storedScanStart = hint
        let start = max(logStartOffset, min(hint ?? window, window))
        var next = start
        while next < logEndOffset {
            let read = try await log.read(from: next, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true)
            let batches = try RecordBatch.parse(try read.payload.load(), verifyCRC: false)
            guard let last = batches.last else { break }
            // Re-records the aborts seen (idempotent): an index entry lost in a crash
            // right after its marker is written again.
            try await recordAppended(batches, firstOffsets: batches.map(\.baseOffset))
            next = last.baseOffset + Int64(last.lastOffsetDelta) + 1
        }
        pruneReplicatedCompletions()
        producerStateLoaded = true
        if let hint, hint > logEndOffset {
            // Above the log end after a truncation: lower it to where this scan began.
            try await log.storeProducerStateScanStart(start)
            storedScanStart = start
        }
    }

    /// Appends validated batches, honouring idempotent producers' sequences.
    /// Returns the offsets of the first and last record appended (for a pure retry, the
    /// original offsets).
    /// - Parameter minInsync: for acks=all in cluster mode, the ISR size below which the
    ///   append is refused (NOT_ENOUGH_REPLICAS); nil otherwise.
    /// - Parameter verification: the guard from `beginVerification` for a transactional
    ///   produce; a batch that would open a transaction without a live one is refused.
    func append(_ batches: [RecordBatch], logAppendTime: Int64?, minInsync: Int? = nil,
                verification: UInt64? = nil) async throws -> LogAppendInfo {
        guard let info = try await append(batches, logAppendTime: logAppendTime, minInsync: minInsync, verification: verification,
                                          stopIfUnverified: false) else {
            throw BrokerError.invalidTxnState(topicPartition, "a transactional batch was not verified")
        }
        return info
    }

    /// `append`; with `stopIfUnverified`, returns nil and appends nothing when a batch
    /// would open a transaction here without a guard (the caller then verifies with the
    /// coordinator and appends again with one). A transactional produce whose transaction
    /// is already open here is appended in this one step.
    func append(_ batches: [RecordBatch], logAppendTime: Int64?, minInsync: Int?, verification: UInt64?,
                stopIfUnverified: Bool) async throws -> LogAppendInfo? {
        await beginAppend()
        defer { endAppend() }
        try await loadProducerStateIfNeeded()
        let leaderEpoch = try clustered ? checkLeaderForAppend(minInsync: minInsync) : nil
        var fresh: [RecordBatch] = []
        var duplicate: (Int64, Int64)?
        for var batch in batches {
            switch try producers.check(batch, partition: topicPartition) {
            case .duplicate(let first, let last):
                duplicate = duplicate.map { ($0.0, last) } ?? (first, last)
            case .append:
                if stopIfUnverified && verification == nil && batch.isTransactional && !continuesOpenTransaction(batch) { return nil }
                try checkVerified(batch, guard: verification)
                if let logAppendTime { batch.setLogAppendTime(logAppendTime) }
                if let leaderEpoch { batch.setPartitionLeaderEpoch(leaderEpoch) }
                fresh.append(batch)
            }
        }
        guard !fresh.isEmpty else {
            let (first, last) = duplicate!
            return LogAppendInfo(firstOffset: first, lastOffset: last, logEndOffset: logEndOffset, logStartOffset: logStartOffset)
        }
        var info: LogAppendInfo
        do {
            info = try await log.append(fresh)
        } catch let error as StorageError {
            throw BrokerError.storage(error.description)
        }
        info.logAppendTime = logAppendTime
        metrics.recordAppend(fresh)
        var offset = info.firstOffset
        for batch in fresh {
            producers.record(batch, firstOffset: offset)
            offset += Int64(batch.lastOffsetDelta) + 1
        }
        logEndOffset = info.logEndOffset
        logStartOffset = info.logStartOffset
        if clustered { leaderAppended() } else { advanceHighWatermark(to: info.logEndOffset) }
        await storeScanStartIfNeeded()
        return info
    }

    func beginAppend() async {
        guard appendInProgress else {
            appendInProgress = true
            return
        }
        await withCheckedContinuation { appendQueue.append($0) }
    }

    func endAppend() {
        if appendQueue.isEmpty {
            appendInProgress = false
        } else {
            appendQueue.removeFirst().resume()
        }
    }

    /// Moves the high watermark forward and wakes fetches waiting below it.
    func advanceHighWatermark(to offset: Int64) {
        guard offset > highWatermark else { return }
        highWatermark = offset
        pruneReplicatedCompletions()
        wakeWaiters()
        if !ackWaiters.isEmpty { resolveAckWaiters() }
    }

    /// Resumes the fetches whose data is now readable: below the high watermark, or below
    /// the last stable offset for read_committed ones.
    func wakeWaiters() {
        guard !waiters.isEmpty else { return }
        let stable = lastStableOffset
        for (id, waiter) in waiters where waiter.offset < (waiter.committed ? stable : highWatermark) {
            waiters.removeValue(forKey: id)
            waiter.continuation.resume()
        }
    }

    /// Reads whole batches from `offset` up to the high watermark (a consumer's read: in
    /// cluster mode only the leader serves it, and `currentLeaderEpoch` is checked).
    /// - Parameter anyReplica: Kafka's debugging consumer (replica id -2): any replica,
    ///   leader or follower, answers up to its own high watermark (replica verification).
    /// - Parameter committed: read_committed: up to the last stable offset instead.
    func read(from offset: Int64, maxBytes: Int, minOneBatch: Bool, currentLeaderEpoch: Int32 = -1,
              anyReplica: Bool = false, committed: Bool = false) async throws -> LogReadResult {
        if clustered && !anyReplica { try checkConsumerRead(currentLeaderEpoch: currentLeaderEpoch) }
        do {
            return try await log.read(from: offset, maxBytes: maxBytes, maxOffset: committed ? lastStableOffset : highWatermark,
                                      minOneBatch: minOneBatch)
        } catch StorageError.offsetOutOfRange(let requested, let start, let end) {
            throw BrokerError.offsetOutOfRange(topicPartition, requested: requested, logStartOffset: start, logEndOffset: end)
        } catch let error as StorageError {
            throw BrokerError.storage(error.description)
        }
    }

    /// Returns once the high watermark (with `committed`, the last stable offset) is past
    /// `offset`, or when the task is cancelled.
    func waitForData(beyond offset: Int64, committed: Bool = false) async {
        if (committed ? lastStableOffset : highWatermark) > offset || Task.isCancelled { return }
        let id = nextWaiterID
        nextWaiterID += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters[id] = (offset, committed, continuation)
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.continuation.resume()
    }

    /// Offsets and size as storage reports them.
    public func offsets() async throws -> LogOffsets {
        let offsets = try await log.offsets()
        logStartOffset = offsets.logStartOffset
        return LogOffsets(logStartOffset: offsets.logStartOffset, logEndOffset: logEndOffset, sizeBytes: offsets.sizeBytes)
    }

    func batch(atOrAfterTimestamp timestamp: Int64) async throws -> LogBatchPosition? {
        try await log.batch(atOrAfterTimestamp: timestamp)
    }

    func batchWithMaxTimestamp() async throws -> LogBatchPosition? {
        try await log.batchWithMaxTimestamp()
    }

    /// Applies `policy`, never deleting past the first offset of an open transaction.
    func applyRetention(_ policy: RetentionPolicy, now: Date) async throws -> RetentionResult {
        var policy = policy
        _ = try await loadedLastStableOffset()
        if let open = producers.firstOpenTransactionOffset {
            policy.firstOffsetToKeep = min(policy.firstOffsetToKeep ?? open, open)
        }
        let result = try await log.applyRetention(policy, now: now)
        logStartOffset = result.logStartOffset
        return result
    }

    func flush() async throws { try await log.flush() }

    /// Wakes every waiter (the partition is going away).
    func shutdown() {
        changes.bump()
        for waiter in waiters.values { waiter.continuation.resume() }
        waiters.removeAll()
        wakeLogEndWaiters(all: true)
        failAckWaiters(.notLeaderOrFollower(topicPartition, leader: nil))
    }
}
