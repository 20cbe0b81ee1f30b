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
        var partitions = requested
        switch plan {
        case .failed(let error):
            context.logger.debug("fetch session \(request.sessionId) at epoch \(request.sessionEpoch): \(error)")
            response.errorCode = error.rawValue
            return response
        case .incremental(_, let cached): partitions = cached
        case .sessionless, .full: break
        }
        var answered = await read(partitions, request: request, names: byId, usesTopicIds: usesTopicIds,
                                  replicaId: replicaId, context: context)
        switch plan {
        case .full:
            let states = zip(partitions, answered).map { ($0.0, $0.1, FetchedPartitionState($1)) }
            response.sessionId = await sessions.create(privileged: replicaId >= 0, usesTopicIds: usesTopicIds,
                                                       partitions: states, now: sessions.milliseconds())
        case .incremental(let id, _):
            guard let include = await sessions.select(id: id, requestEpoch: request.sessionEpoch,
                                                      fetched: answered.map(FetchedPartitionState.init)) else {
                response.errorCode = KafkaErrorCode.invalidFetchSessionEpoch.rawValue
                response.sessionId = id
                return response
            }
            response.sessionId = id
            partitions = zip(partitions, include).filter(\.1).map(\.0)
            answered = zip(answered, include).filter(\.1).map(\.0)
        case .sessionless, .failed: break
        }
        // Consecutive partitions of one topic share a topic entry.
        for ((key, _), partition) in zip(partitions, answered) {
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

    /// Reads `partitions` (long-polling on all of them) and answers each, in order.
    private func read(_ partitions: [(FetchSessionKey, FetchRequest.Partition)], request: FetchRequest,
                      names byId: [UUID: String], usesTopicIds: Bool, replicaId: Int32,
                      context: RequestContext) async -> [FetchResponse.Partition] {
        let names = partitions.map { key, _ in usesTopicIds ? byId[key.topicId] : key.topic }
        var specs: [SluiceKernel.FetchRequest.PartitionSpec] = []
        if context.version >= Self.firstRecordBatchVersion {
            for ((_, partition), name) in zip(partitions, names) {
                guard let name else { continue }
                specs.append(.init(TopicPartition(name, partition.partition), offset: partition.fetchOffset,
                                   maxBytes: Int(max(0, partition.partitionMaxBytes)),
                                   currentLeaderEpoch: partition.currentLeaderEpoch))
            }
        }
        // Fields absent from the request's version hold their spec defaults (MaxBytes
        // before v3 is 0x7fffffff, CurrentLeaderEpoch before v9 is -1), so no version test.
        let results = specs.isEmpty ? [] : await context.reader.fetch(.init(
            partitions: specs, maxWait: .milliseconds(Int64(max(0, request.maxWaitMs))),
            minBytes: Int(max(0, request.minBytes)), maxBytes: Int(max(0, request.maxBytes)),
            replicaId: replicaId))
        var found: [TopicPartition: FetchPartitionResult] = [:]
        for result in results { found[result.topicPartition] = result }
        return zip(partitions, names).map { answer($0.0.1, name: $0.1, found: found, context: context) }
    }

    /// A session key: by topic id from v13 (the name left out), by name before.
    static func key(_ topicId: UUID, _ topic: String, _ partition: Int32, _ usesTopicIds: Bool) -> FetchSessionKey {
        usesTopicIds ? FetchSessionKey(topicId: topicId, topic: "", partition: partition)
            : FetchSessionKey(topicId: .zero, topic: topic, partition: partition)
    }

    private func answer(_ requested: FetchRequest.Partition, name: String?, found: [TopicPartition: FetchPartitionResult],
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
        guard let result = found[TopicPartition(name, requested.partition)] else {
            partition.errorCode = KafkaErrorCode.unknownTopicOrPartition.rawValue
            return partition
        }
        partition.highWatermark = result.highWatermark
        partition.lastStableOffset = result.highWatermark
        partition.logStartOffset = result.logStartOffset
        switch result.result {
        case .success(let read):
            partition.records = RecordsData(read.payload)
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
