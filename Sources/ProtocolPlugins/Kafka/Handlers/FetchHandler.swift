import Foundation
import KafkaWire
import NIOCore
import SluiceKernel

/// Fetch: v4–17 read whole batches as stored (file regions go out with `sendfile`),
/// waiting up to max.wait.ms until min.bytes are available — the wait ends as soon as an
/// append makes them so. Topics by name (v4–12) or id (v13+). From v7, incremental fetch
/// sessions (KIP-227, `FetchSessionCache`): a full fetch with epoch 0 opens one when the
/// cache has room, later requests name only changed partitions and forgotten ones, and
/// their responses carry only partitions with news; an incremental fetch reads only the
/// partitions whose change marks moved (`FetchHandler+Session.swift`). v0–3 would need the old message formats and get UNSUPPORTED_VERSION per
/// partition.
struct FetchHandler: KafkaApiHandler {
    var quotaBytes: QuotaBytes { .response(.consumerByteRate) }
    static let firstRecordBatchVersion: Int16 = 4
    var advertisedVersions: Versions { Versions(lowest: Self.firstRecordBatchVersion, highest: FetchRequest.validVersions.highest) }

    func handle(_ request: FetchRequest, context: RequestContext) async -> FetchResponse? {
        var response = await respond(to: request, context: context)
        // KIP-951: partitions this broker does not lead name the leader it knows (v16+).
        await LeaderHints.add(to: &response, context: context) { await topicsById(context.topics) }
        return response
    }

    private func respond(to request: FetchRequest, context: RequestContext) async -> FetchResponse {
        var response = FetchResponse()
        let usesTopicIds = context.version >= 13
        let requested = request.topics.flatMap { topic in
            topic.partitions.map { (Self.key(topic.topicId, topic.topic, $0.partition, usesTopicIds), $0) }
        }
        let forgotten = request.forgottenTopicsData.flatMap { topic in
            topic.partitions.map { Self.key(topic.topicId, topic.topic, $0, usesTopicIds) }
        }
        let sessions = context.fetchSessions
        let replicaId = Self.replicaId(request, version: context.version)
        // Taken before the session checks its partitions' marks: any change after that
        // ends the long poll of an incremental fetch.
        let generation = context.reader.fetchChangeGeneration
        let plan = await sessions.begin(sessionId: request.sessionId, epoch: request.sessionEpoch, usesTopicIds: usesTopicIds,
                                        readCommitted: request.isolationLevel == 1, requested: requested, forgotten: forgotten,
                                        now: sessions.milliseconds())
        switch plan {
        case .failed(let error):
            context.logger.debug("fetch session \(request.sessionId) at epoch \(request.sessionEpoch): \(error)")
            response.errorCode = error.rawValue
            return response
        case .incremental(let id, let reads, let skipped):
            return await incremental(id: id, reads: reads, skipped: skipped, generation: generation, request: request,
                                     usesTopicIds: usesTopicIds, replicaId: replicaId, context: context)
        case .sessionless, .full: break
        }
        let byId = usesTopicIds ? await topicsById(context.topics) : [:]
        let fetched = await read(requested, request: request, names: byId, usesTopicIds: usesTopicIds, replicaId: replicaId,
                                 maxWaitMs: request.maxWaitMs, maxBytes: request.maxBytes, context: context)
        if case .full = plan {
            let states = zip(requested, fetched).map { ($0.0, $0.1, $1.state) }
            response.sessionId = await sessions.create(privileged: replicaId >= 0, usesTopicIds: usesTopicIds,
                                                       partitions: states, now: sessions.milliseconds())
        }
        response.responses = Self.topics(zip(requested, fetched).map { ($0.0, $1.answer) })
        return response
    }

    /// The response's topics: consecutive partitions of one topic share a topic entry.
    static func topics(_ answered: [(FetchSessionKey, FetchResponse.Partition)]) -> [FetchResponse.Topic] {
        var topics: [FetchResponse.Topic] = []
        for (key, partition) in answered {
            if let last = topics.last, last.topicId == key.topicId, last.topic == key.topic {
                topics[topics.count - 1].partitions.append(partition)
            } else {
                var topic = FetchResponse.Topic()
                topic.topic = key.topic
                topic.topicId = key.topicId
                topic.partitions = [partition]
                topics.append(topic)
            }
        }
        return topics
    }

    /// What a fetch found for one partition: as a session sees it, and as the response
    /// carries it.
    struct Fetched: Sendable {
        var state: FetchedPartitionState
        var answer: FetchResponse.Partition

        init(_ answer: FetchResponse.Partition, mark: PartitionFetchMark?) {
            state = FetchedPartitionState(answer, mark: mark)
            self.answer = answer
        }

        /// Record bytes read.
        var recordBytes: Int { answer.records?.byteCount ?? 0 }
    }

    /// Reads `partitions` (long-polling on all of them up to `maxWaitMs`) and answers each,
    /// in order.
    func read(_ partitions: [(FetchSessionKey, FetchRequest.Partition)], request: FetchRequest,
              names byId: [UUID: String], usesTopicIds: Bool, replicaId: Int32, maxWaitMs: Int32, maxBytes: Int32,
              context: RequestContext) async -> [Fetched] {
        let names = partitions.map { key, _ in usesTopicIds ? byId[key.topicId] : key.topic }
        var specs: [SluiceKernel.FetchRequest.PartitionSpec] = []
        // The spec of each partition (nil: not asked of the kernel).
        var specIndex = [Int?](repeating: nil, count: partitions.count)
        if context.version >= Self.firstRecordBatchVersion {
            specs.reserveCapacity(partitions.count)
            for (index, ((_, partition), name)) in zip(partitions, names).enumerated() {
                guard let name else { continue }
                specIndex[index] = specs.count
                specs.append(.init(TopicPartition(name, partition.partition), offset: partition.fetchOffset,
                                   maxBytes: Int(max(0, partition.partitionMaxBytes)),
                                   currentLeaderEpoch: partition.currentLeaderEpoch))
            }
        }
        // Fields absent from the request's version hold their spec defaults (MaxBytes
        // before v3 is 0x7fffffff, CurrentLeaderEpoch before v9 is -1), so no version test.
        let results = specs.isEmpty ? [] : await context.reader.fetch(.init(
            partitions: specs, maxWait: .milliseconds(Int64(max(0, maxWaitMs))),
            minBytes: Int(max(0, request.minBytes)), maxBytes: Int(max(0, maxBytes)),
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

    func topicsById(_ topics: any TopicAdministration) async -> [UUID: String] {
        Dictionary(await topics.topics().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }
}
