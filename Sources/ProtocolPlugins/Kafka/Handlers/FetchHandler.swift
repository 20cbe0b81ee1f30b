import Foundation
import KafkaWire
import NIOCore
import SluiceKernel

/// Fetch: v4–17 read whole batches as stored (file regions go out with `sendfile`),
/// waiting up to max.wait.ms until min.bytes are available — the wait ends as soon as an
/// append makes them so. Topics by name (v4–12) or id (v13+). From v7, incremental fetch
/// sessions (KIP-227, `FetchSessionCache`): a full fetch with epoch 0 opens one when the
/// cache has room, later requests name only changed partitions and forgotten ones, and
/// their responses carry only partitions with news; a fetch of a session waits on all its
/// partitions. v0–3 would need the old message formats and get UNSUPPORTED_VERSION per
/// partition.
struct FetchHandler: KafkaApiHandler {
    static let firstRecordBatchVersion: Int16 = 4
    var advertisedVersions: Versions { Versions(lowest: Self.firstRecordBatchVersion, highest: FetchRequest.validVersions.highest) }

    func handle(_ request: FetchRequest, context: RequestContext) async -> FetchResponse? {
        var response = FetchResponse()
        let usesTopicIds = context.version >= 13
        let byId = usesTopicIds ? await topicsById(context.topics) : [:]
        let requested = request.topics.flatMap { topic in
            topic.partitions.map { (Self.key(topic.topicId, topic.topic, $0.partition, usesTopicIds), $0) }
        }
        let forgotten = request.forgottenTopicsData.flatMap { topic in
            topic.partitions.map { Self.key(topic.topicId, topic.topic, $0, usesTopicIds) }
        }
        let sessions = context.fetchSessions
        let replicaId = Self.replicaId(request, version: context.version)
        let plan = await sessions.begin(sessionId: request.sessionId, epoch: request.sessionEpoch, usesTopicIds: usesTopicIds,
                                        requested: requested, forgotten: forgotten, now: sessions.milliseconds())
        var partitions = requested.map { ($0.0, $0.1, PartitionFetchMark?.none) }
        switch plan {
        case .failed(let error):
            context.logger.debug("fetch session \(request.sessionId) at epoch \(request.sessionEpoch): \(error)")
            response.errorCode = error.rawValue
            return response
        case .incremental(_, let cached): partitions = cached
        case .sessionless, .full: break
        }
        let fetched = await read(partitions, request: request, names: byId, usesTopicIds: usesTopicIds,
                                 replicaId: replicaId, context: context)
        var answered: [(FetchSessionKey, FetchResponse.Partition)] = []
        switch plan {
        case .full:
            let states = zip(partitions, fetched).map { ($0.0, $0.1, $1.state) }
            response.sessionId = await sessions.create(privileged: replicaId >= 0, usesTopicIds: usesTopicIds,
                                                       partitions: states, now: sessions.milliseconds())
            answered = zip(partitions, fetched).map { ($0.0, $1.answer) }
        case .incremental(let id, _):
            // Partitions answered from their marks are unchanged, so the session leaves them out.
            guard let include = await sessions.select(id: id, requestEpoch: request.sessionEpoch,
                                                      fetched: fetched.map(\.state)) else {
                response.errorCode = KafkaErrorCode.invalidFetchSessionEpoch.rawValue
                response.sessionId = id
                return response
            }
            response.sessionId = id
            for (index, included) in include.enumerated() where included {
                answered.append((partitions[index].0, fetched[index].answer))
            }
        case .sessionless, .failed:
            answered = zip(partitions, fetched).map { ($0.0, $1.answer) }
        }
        // Consecutive partitions of one topic share a topic entry.
        for (key, partition) in answered {
            if let last = response.responses.last, last.topicId == key.topicId, last.topic == key.topic {
                response.responses[response.responses.count - 1].partitions.append(partition)
            } else {
                var topic = FetchResponse.Topic()
                topic.topic = key.topic
                topic.topicId = key.topicId
                topic.partitions = [partition]
                response.responses.append(topic)
            }
        }
        return response
    }

    /// What a fetch found for one partition: as a session sees it, and as the response
    /// would carry it (built only when sent, for partitions answered from their marks).
    private struct Fetched {
        var state: FetchedPartitionState
        private var built: FetchResponse.Partition?
        private let partitionIndex: Int32

        init(_ answer: FetchResponse.Partition, mark: PartitionFetchMark?) {
            state = FetchedPartitionState(answer, mark: mark)
            built = answer
            partitionIndex = answer.partitionIndex
        }

        /// A partition unchanged since `mark`: no records, no error, the mark's offsets.
        init(partition: Int32, unchangedSince mark: PartitionFetchMark) {
            partitionIndex = partition
            state = FetchedPartitionState(hasRecords: false, errorCode: 0, highWatermark: mark.highWatermark,
                                          lastStableOffset: mark.lastStableOffset, logStartOffset: mark.logStartOffset, mark: mark)
        }

        var answer: FetchResponse.Partition {
            if let built { return built }
            var partition = FetchResponse.Partition()
            partition.partitionIndex = partitionIndex
            partition.records = .bytes(ByteBuffer())
            // Marks are kept for read_uncommitted reads only, which list no aborted transactions.
            partition.abortedTransactions = nil
            partition.highWatermark = state.highWatermark
            partition.lastStableOffset = state.lastStableOffset
            partition.logStartOffset = state.logStartOffset
            return partition
        }
    }

    /// Reads `partitions` (long-polling on all of them) and answers each, in order; a
    /// partition whose mark still holds is answered from it by the kernel, without a read.
    private func read(_ partitions: [(FetchSessionKey, FetchRequest.Partition, PartitionFetchMark?)], request: FetchRequest,
                      names byId: [UUID: String], usesTopicIds: Bool, replicaId: Int32,
                      context: RequestContext) async -> [Fetched] {
        let names = partitions.map { key, _, _ in usesTopicIds ? byId[key.topicId] : key.topic }
        var specs: [SluiceKernel.FetchRequest.PartitionSpec] = []
        // The spec of each partition (nil: not asked of the kernel).
        var specIndex = [Int?](repeating: nil, count: partitions.count)
        if context.version >= Self.firstRecordBatchVersion {
            specs.reserveCapacity(partitions.count)
            for (index, ((_, partition, mark), name)) in zip(partitions, names).enumerated() {
                guard let name else { continue }
                specIndex[index] = specs.count
                specs.append(.init(TopicPartition(name, partition.partition), offset: partition.fetchOffset,
                                   maxBytes: Int(max(0, partition.partitionMaxBytes)),
                                   currentLeaderEpoch: partition.currentLeaderEpoch, unchangedSince: mark))
            }
        }
        // Fields absent from the request's version hold their spec defaults (MaxBytes
        // before v3 is 0x7fffffff, CurrentLeaderEpoch before v9 is -1), so no version test.
        let results = specs.isEmpty ? [] : await context.reader.fetch(.init(
            partitions: specs, maxWait: .milliseconds(Int64(max(0, request.maxWaitMs))),
            minBytes: Int(max(0, request.minBytes)), maxBytes: Int(max(0, request.maxBytes)),
            replicaId: replicaId, readCommitted: request.isolationLevel == 1))
        // The kernel answers each spec, in order; looked up by partition should it not.
        let ordered = results.count == specs.count
        var found: [TopicPartition: FetchPartitionResult] = [:]
        if !ordered { for result in results { found[result.topicPartition] = result } }
        return partitions.indices.map { index in
            let requested = partitions[index].1
            var result: FetchPartitionResult?
            if let spec = specIndex[index] {
                result = ordered ? results[spec] : found[specs[spec].topicPartition]
            }
            if let result, result.unchanged, let mark = result.mark {
                return Fetched(partition: requested.partition, unchangedSince: mark)
            }
            return Fetched(answer(requested, name: names[index], result: result, context: context), mark: result?.mark)
        }
    }

    /// A session key: by topic id from v13 (the name left out), by name before.
    static func key(_ topicId: UUID, _ topic: String, _ partition: Int32, _ usesTopicIds: Bool) -> FetchSessionKey {
        usesTopicIds ? FetchSessionKey(topicId: topicId, topic: "", partition: partition)
            : FetchSessionKey(topicId: .zero, topic: topic, partition: partition)
    }

    private func answer(_ requested: FetchRequest.Partition, name: String?, result: FetchPartitionResult?,
                        context: RequestContext) -> FetchResponse.Partition {
        var partition = FetchResponse.Partition()
        partition.partitionIndex = requested.partition
        partition.records = .bytes(ByteBuffer())
        partition.abortedTransactions = []
        partition.highWatermark = -1
        guard context.version >= Self.firstRecordBatchVersion else {
            partition.errorCode = KafkaErrorCode.unsupportedVersion.rawValue
            return partition
        }
        guard let name else {
            partition.errorCode = KafkaErrorCode.unknownTopicId.rawValue
            return partition
        }
        guard let result else {
            partition.errorCode = KafkaErrorCode.unknownTopicOrPartition.rawValue
            return partition
        }
        partition.highWatermark = result.highWatermark
        partition.lastStableOffset = result.lastStableOffset
        partition.logStartOffset = result.logStartOffset
        switch result.result {
        case .success(let read):
            partition.records = RecordsData(read.payload)
            // read_committed: the aborted transactions of the range; read_uncommitted: none
            // (null), as Kafka sends, so no client drops records it should deliver.
            partition.abortedTransactions = result.abortedTransactions.map { list in
                list.map { aborted in
                    var entry = FetchResponse.AbortedTransaction()
                    entry.producerId = aborted.producerId
                    entry.firstOffset = aborted.firstOffset
                    return entry
                }
            }
        case .failure(let error):
            partition.errorCode = error.kafkaErrorCode.rawValue
            if case .offsetOutOfRange(_, _, let start, let end) = error {
                partition.logStartOffset = start
                partition.highWatermark = max(result.highWatermark, end)
                partition.lastStableOffset = partition.highWatermark
            }
            context.logger.debug("fetch \(name)-\(requested.partition) at \(requested.fetchOffset): \(error)")
        }
        return partition
    }

    /// The follower's broker id (ReplicaId before v15, ReplicaState.ReplicaId from v15), or
    /// -2 for Kafka's debugging consumer (reads any replica up to its high watermark, as
    /// replica verification does), -1 for consumers (and any other negative id).
    static func replicaId(_ request: FetchRequest, version: Int16) -> Int32 {
        let id = version >= 15 ? request.replicaState.replicaId : request.replicaId
        return id >= 0 || id == SluiceKernel.FetchRequest.debuggingReplicaId ? id : -1
    }

    private func topicsById(_ topics: any TopicAdministration) async -> [UUID: String] {
        Dictionary(await topics.topics().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }
}
