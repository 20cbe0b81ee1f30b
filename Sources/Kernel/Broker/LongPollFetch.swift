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

    func run() async -> [FetchPartitionResult] {
        let deadline = ContinuousClock.now + request.maxWait
        var (results, read) = await readOnce()
        while true {
            let available = results.reduce(0) { $0 + (((try? $1.result.get())?.payload.byteCount) ?? 0) }
            let anyError = results.contains { if case .failure = $0.result { true } else { false } }
            if available >= max(request.minBytes, 1) || anyError || ContinuousClock.now >= deadline || Task.isCancelled {
                // Counted only for the reads returned: a long poll re-reads the same data.
                for (partition, payload, offset) in read { partition.metrics.fetchedRecords.increment(by: payload.recordCount(from: offset)) }
                return results
            }
            let routes = broker.routes.current
            let waiters = request.partitions.compactMap { spec in routes.partition(spec.topicPartition).map { ($0, spec.offset) } }
            let replica = request.replicaId >= 0
            await withTaskGroup(of: Void.self) { group in
                for (partition, offset) in waiters {
                    if replica {
                        group.addTask { await partition.waitForLogEnd(beyond: offset) }
                    } else {
                        group.addTask { await partition.waitForData(beyond: offset) }
                    }
                }
                group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
                await group.next()
                group.cancelAll()
            }
            (results, read) = await readOnce()
        }
    }

    /// One pass over the requested partitions; also returns the non-empty reads with
    /// their partitions, for the fetched-records counter.
    private func readOnce() async -> ([FetchPartitionResult], [(Partition, LogPayload, Int64)]) {
        var remaining = request.maxBytes
        var results: [FetchPartitionResult] = []
        var read: [(Partition, LogPayload, Int64)] = []
        var first = true
        let routes = broker.routes.current
        for spec in request.partitions {
            guard let partition = routes.partition(spec.topicPartition) else {
                results.append(FetchPartitionResult(topicPartition: spec.topicPartition,
                                                    result: .failure(routes.missingPartitionError(spec.topicPartition)),
                                                    highWatermark: -1, logStartOffset: -1))
                continue
            }
            let limit = max(0, min(spec.maxBytes, remaining))
            let fetched = await partition.fetch(spec, maxBytes: limit, minOneBatch: first, replicaId: request.replicaId)
            if case .success(let success) = fetched.result, success.payload.byteCount > 0 {
                first = false
                remaining -= success.payload.byteCount
                read.append((partition, success.payload, spec.offset))
            }
            results.append(fetched)
        }
        return (results, read)
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

    public init(partitions: [PartitionSpec], maxWait: Duration, minBytes: Int, maxBytes: Int, replicaId: Int32 = -1) {
        self.partitions = partitions
        self.maxWait = maxWait
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.replicaId = replicaId
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

    public init(topicPartition: TopicPartition, result: Result<LogReadResult, BrokerError>, highWatermark: Int64, logStartOffset: Int64) {
        self.topicPartition = topicPartition
        self.result = result
        self.highWatermark = highWatermark
        self.logStartOffset = logStartOffset
    }
}
