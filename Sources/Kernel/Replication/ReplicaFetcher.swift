import Logging
import NIOCore

/// Fetches, for every partition this broker follows from one leader broker, the leader's
/// new batches: one task, one Fetch request for all of them at a time (long-polled at the
/// leader), after asking the leader where each newly followed partition must be truncated.
/// Errors pause it for the retry backoff; it never spins.
actor ReplicaFetcher {
    struct Entry {
        var partition: Partition
        var epoch: Int32
        var needsTruncation = true
    }

    nonisolated let source: BrokerEndpoint
    private let localId: Int32
    private let transport: any ReplicaTransport
    private let config: ReplicationConfig
    private let logger: Logger
    private var entries: [TopicPartition: Entry] = [:]
    private var task: Task<Void, Never>?
    private var idle: CheckedContinuation<Void, Never>?

    init(source: BrokerEndpoint, config: ReplicationConfig, transport: any ReplicaTransport, logger: Logger) {
        self.source = source
        self.localId = config.brokerId
        self.transport = transport
        self.config = config
        var logger = logger
        logger[metadataKey: "leaderBroker"] = "\(source.id)"
        self.logger = logger
    }

    var partitions: [TopicPartition: Int32] { entries.mapValues(\.epoch) }

    /// Follows `partition` in `epoch`: truncates first, then fetches.
    func add(_ partition: Partition, epoch: Int32) {
        entries[partition.topicPartition] = Entry(partition: partition, epoch: epoch)
        if task == nil { task = Task { await self.run() } }
        idle?.resume()
        idle = nil
    }

    func remove(_ tp: TopicPartition) { entries.removeValue(forKey: tp) }

    /// Ends the task; returns when it has.
    func stop() async {
        task?.cancel()
        idle?.resume()
        idle = nil
        await task?.value
        task = nil
    }

    private func run() async {
        while !Task.isCancelled {
            if entries.isEmpty {
                await withCheckedContinuation { idle = $0 }
                continue
            }
            do {
                let ok = try await truncatePending()
                let fetched = try await fetchOnce()
                if !ok || !fetched { try await Task.sleep(for: .milliseconds(config.retryBackoffMs)) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("replica fetch from broker \(source.id) failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(config.retryBackoffMs))
            }
        }
    }

    /// Truncates the partitions followed anew; false when some must be retried.
    private func truncatePending() async throws -> Bool {
        var queries: [LeaderEpochQuery] = []
        var asked: [TopicPartition: (epoch: Int32, requested: Int32)] = [:]
        for (tp, entry) in entries where entry.needsTruncation {
            if let latest = await entry.partition.latestEpoch() {
                queries.append(LeaderEpochQuery(tp, currentLeaderEpoch: entry.epoch, leaderEpoch: latest))
                asked[tp] = (entry.epoch, latest)
            } else {
                try await entry.partition.truncate(afterAsking: nil, answer: nil)
                if entries[tp]?.epoch == entry.epoch { entries[tp]?.needsTruncation = false }
            }
        }
        guard !queries.isEmpty else { return true }
        let answers = try await transport.offsetForLeaderEpoch(from: source, replicaId: localId, partitions: queries)
        var complete = true
        for (tp, question) in asked {
            guard let entry = entries[tp], entry.epoch == question.epoch, entry.needsTruncation else { continue }
            guard let answer = answers[tp], answer.error == nil else {
                logger.info("leader epoch lookup refused; retrying",
                            metadata: ["partition": "\(tp)", "error": "\(answers[tp]?.error?.description ?? "no answer")"])
                complete = false
                continue
            }
            let before = await entry.partition.logEndOffset
            let end = try await entry.partition.truncate(afterAsking: question.requested,
                                                         answer: (answer.leaderEpoch, answer.endOffset))
            if end < before {
                logger.notice("truncated divergent tail", metadata: [
                    "partition": "\(tp)", "from": "\(before)", "to": "\(end)", "leaderEpoch": "\(entry.epoch)"])
            }
            entries[tp]?.needsTruncation = false
        }
        return complete
    }

    /// One fetch for every ready partition; false when nothing could be fetched or a
    /// partition was refused (the caller backs off).
    private func fetchOnce() async throws -> Bool {
        var requested: [ReplicaFetchPartition] = []
        var epochs: [TopicPartition: Int32] = [:]
        var offsets: [TopicPartition: Int64] = [:]
        for (tp, entry) in entries where !entry.needsTruncation {
            let offset = await entry.partition.logEndOffset
            requested.append(ReplicaFetchPartition(tp, fetchOffset: offset, currentLeaderEpoch: entry.epoch, maxBytes: config.fetchMaxBytes))
            epochs[tp] = entry.epoch
            offsets[tp] = offset
        }
        guard !requested.isEmpty else { return false }
        let results = try await transport.fetch(from: source, replicaId: localId, partitions: requested,
                                                maxWait: .milliseconds(config.fetchMaxWaitMs), maxBytes: config.fetchMaxBytes)
        var clean = true
        for (tp, result) in results {
            guard let entry = entries[tp], entry.epoch == epochs[tp], !entry.needsTruncation else { continue }
            if let error = result.error {
                clean = false
                logger.debug("replica fetch refused", metadata: ["partition": "\(tp)", "error": "\(error)"])
                if error == .offsetOutOfRange, let offset = offsets[tp] {
                    try await handleOutOfRange(tp, entry: entry, fetchOffset: offset, leaderLogStart: result.logStartOffset,
                                               leaderLogEnd: result.highWatermark)
                }
                continue
            }
            do {
                _ = try await entry.partition.appendAsFollower(result.records, leaderEpoch: entry.epoch,
                                                               leaderHighWatermark: result.highWatermark,
                                                               leaderLogStartOffset: result.logStartOffset)
            } catch {
                clean = false
                if case ReplicationError.nonContiguousFetch = error { entries[tp]?.needsTruncation = true }
                logger.warning("appending fetched batches failed", metadata: ["partition": "\(tp)", "error": "\(error)"])
            }
        }
        return clean
    }

    /// Kafka's ReplicaFetcherThread on OFFSET_OUT_OF_RANGE. Below the leader's log start
    /// (it deleted records while this broker was away): empty the log and restart it at
    /// the leader's start. Past the leader's log end: truncate to it. Either way the epoch
    /// lookup runs again before the next fetch. The leader's start and end come with its
    /// refusal (Sluice's leader fills log start and, in the high watermark field, its log
    /// end); when they are unknown (-1) only the epoch lookup runs.
    private func handleOutOfRange(_ tp: TopicPartition, entry: Entry, fetchOffset: Int64,
                                  leaderLogStart: Int64, leaderLogEnd: Int64) async throws {
        if leaderLogStart >= 0, fetchOffset < leaderLogStart {
            try await entry.partition.truncateFully(startingAt: leaderLogStart)
            logger.notice("log end below the leader's log start; emptied the log and restarted it there", metadata: [
                "partition": "\(tp)", "logEndOffset": "\(fetchOffset)", "leaderLogStartOffset": "\(leaderLogStart)"])
            if entries[tp]?.epoch == entry.epoch { entries[tp]?.needsTruncation = false }
            return
        }
        if leaderLogEnd >= 0, fetchOffset > leaderLogEnd {
            try await entry.partition.truncate(to: leaderLogEnd)
            logger.notice("log end past the leader's log end; truncated to it", metadata: [
                "partition": "\(tp)", "logEndOffset": "\(fetchOffset)", "leaderLogEndOffset": "\(leaderLogEnd)"])
        }
        if entries[tp]?.epoch == entry.epoch { entries[tp]?.needsTruncation = true }
    }
}
