import NIOCore

/// One long-poll fetch (Kafka Fetch, a sink connector's read, a follower's replica
/// fetch): reads the requested partitions, and while fewer than `minBytes` are readable
/// waits on the partitions themselves until an append (or, for a replica, a log-end
/// move) wakes it or `maxWait` passes, then reads again.
///
/// Its own type so that the waiting is apart from the broker's state: it finds the
/// partitions in the broker's published `TopicRoutes`, never waiting for the broker actor.
struct LongPollFetch: Sendable {
    let broker: Broker
    let request: FetchRequest

    /// One pass over the request's partitions.
    private struct Pass {
        var results: [FetchPartitionResult] = []
        /// Non-empty reads with their partitions, for the fetched-records counter.
        var read: [(Partition, LogPayload, Int64)] = []
        /// The partitions read (held here), with their fetch offsets: a wait is on these.
        var targets: [(Partition, Int64)] = []
    }

    func run() async -> [FetchPartitionResult] {
        let deadline = ContinuousClock.now + request.maxWait
        var pass = await readOnce()
        while true {
            let available = pass.results.reduce(0) { $0 + (((try? $1.result.get())?.payload.byteCount) ?? 0) }
            let anyError = pass.results.contains { if case .failure = $0.result { true } else { false } }
            if available >= max(request.minBytes, 1) || anyError || ContinuousClock.now >= deadline || Task.isCancelled {
                // Counted only for the reads returned: a long poll re-reads the same data.
                for (partition, payload, offset) in pass.read { partition.metrics.fetchedRecords.increment(by: payload.recordCount(from: offset)) }
                return pass.results
            }
            let replica = request.replicaId >= 0
            await withTaskGroup(of: Void.self) { group in
                for (partition, offset) in pass.targets {
                    if replica {
                        group.addTask { await partition.waitForLogEnd(beyond: offset) }
                    } else {
                        let committed = request.readCommitted
                        group.addTask { await partition.waitForData(beyond: offset, committed: committed) }
                    }
                }
                group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
                await group.next()
                group.cancelAll()
            }
            pass = await readOnce()
        }
    }

    /// One pass over the requested partitions, found in the broker's published routes and
    /// read with one hop each. (A fetch session skips partitions whose `PartitionFetchMark`
    /// still holds before it asks.)
    private func readOnce() async -> Pass {
        var pass = Pass()
        let routes = broker.routes.current
        var remaining = request.maxBytes
        var first = true
        pass.results.reserveCapacity(request.partitions.count)
        for spec in request.partitions {
            guard let partition = routes.partition(spec.topicPartition) else {
                pass.results.append(FetchPartitionResult(topicPartition: spec.topicPartition,
                                                         result: .failure(routes.missingPartitionError(spec.topicPartition)),
                                                         highWatermark: -1, logStartOffset: -1))
                continue
            }
            pass.targets.append((partition, spec.offset))
            let limit = max(0, min(spec.maxBytes, remaining))
            let fetched = await partition.fetch(spec, maxBytes: limit, minOneBatch: first, replicaId: request.replicaId,
                                                readCommitted: request.readCommitted)
            if case .success(let success) = fetched.result, success.payload.byteCount > 0 {
                first = false
                remaining -= success.payload.byteCount
                pass.read.append((partition, success.payload, spec.offset))
            }
            pass.results.append(fetched)
        }
        return pass
    }
}

/// A fetch across partitions.
public struct FetchRequest: Sendable {
    public struct PartitionSpec: Sendable {
        public var topicPartition: TopicPartition
        public var offset: Int64
        /// Bytes at most for this partition.
        public var maxBytes: Int
        /// The leader epoch the client knows; -1 when not given. An older one is fenced
        /// (FENCED_LEADER_EPOCH), a newer one is not yet known here (UNKNOWN_LEADER_EPOCH).
        public var currentLeaderEpoch: Int32
        public init(_ tp: TopicPartition, offset: Int64, maxBytes: Int, currentLeaderEpoch: Int32 = -1) {
            self.topicPartition = tp
            self.offset = offset
            self.maxBytes = maxBytes
            self.currentLeaderEpoch = currentLeaderEpoch
        }
    }
    public var partitions: [PartitionSpec]
    /// The longest the fetch waits for `minBytes`.
    public var maxWait: Duration
    public var minBytes: Int
    /// Bytes at most across partitions (the first batch is returned even if larger).
    public var maxBytes: Int
    /// -1 for consumers; a follower's broker id for replica fetches, which read up to the
    /// log end and report the follower's progress to the leader.
    public var replicaId: Int32
    /// Kafka's debugging consumer id: reads any replica up to its high watermark.
    public static let debuggingReplicaId: Int32 = -2
    /// read_committed (Kafka's isolation level 1): records up to each partition's last
    /// stable offset instead of its high watermark, with the aborted transactions of the
    /// range returned. Default false (read_uncommitted).
    public var readCommitted: Bool

    public init(partitions: [PartitionSpec], maxWait: Duration, minBytes: Int, maxBytes: Int, replicaId: Int32 = -1,
                readCommitted: Bool = false) {
        self.partitions = partitions
        self.maxWait = maxWait
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.replicaId = replicaId
        self.readCommitted = readCommitted
    }
}

/// What a fetch read from one partition, with the partition's offsets at that moment.
public struct FetchPartitionResult: Sendable {
    public var topicPartition: TopicPartition
    public var result: Result<LogReadResult, BrokerError>
    /// -1 when the partition is not held here.
    public var highWatermark: Int64
    /// -1 when the partition is not held here.
    public var logStartOffset: Int64
    /// The last stable offset (-1 when the partition is not held here): the high watermark
    /// unless a transaction is open below it.
    public var lastStableOffset: Int64 = -1
    /// For read_committed: the aborted transactions overlapping the returned records (the
    /// consumer drops their records); nil for read_uncommitted, which lists none.
    public var abortedTransactions: [AbortedTransaction]?
    /// For a consumer's read that found nothing: the mark that lets the next fetch of the
    /// same reader (a fetch session) skip the partition while it holds.
    public var mark: PartitionFetchMark?

    public init(topicPartition: TopicPartition, result: Result<LogReadResult, BrokerError>, highWatermark: Int64, logStartOffset: Int64) {
        self.topicPartition = topicPartition
        self.result = result
        self.highWatermark = highWatermark
        self.logStartOffset = logStartOffset
    }
}
