import Foundation
import KafkaWire
import NIOCore
import SluiceKernel

/// Fetch: v4–17 read whole batches as stored (file regions go out with `sendfile`),
/// waiting up to max.wait.ms until min.bytes are available — the wait ends as soon as an
/// append makes them so. Topics by name (v4–12) or id (v13+). No fetch sessions: the
/// response's session id 0 tells clients to keep sending full requests. v0–3 would need
/// the old message formats and get UNSUPPORTED_VERSION per partition.
struct FetchHandler: KafkaApiHandler {
    static let firstRecordBatchVersion: Int16 = 4
    var advertisedVersions: Versions { Versions(lowest: Self.firstRecordBatchVersion, highest: FetchRequest.validVersions.highest) }

    func handle(_ request: FetchRequest, context: RequestContext) async -> FetchResponse? {
        var response = FetchResponse()
        let byId = context.version >= 13 ? await topicsById(context.topics) : [:]
        // Resolve each requested partition to a topic-partition, or an error for it.
        var specs: [SluiceKernel.FetchRequest.PartitionSpec] = []
        var plan: [(topic: FetchRequest.Topic, name: String?, partitions: [FetchRequest.Partition])] = []
        for topic in request.topics {
            let name = context.version >= 13 ? byId[topic.topicId] : topic.topic
            plan.append((topic, name, topic.partitions))
            guard let name, context.version >= Self.firstRecordBatchVersion else { continue }
            for partition in topic.partitions {
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
            replicaId: Self.replicaId(request, version: context.version)))
        var found: [TopicPartition: FetchPartitionResult] = [:]
        for result in results { found[result.topicPartition] = result }

        for (topic, name, partitions) in plan {
            var out = FetchResponse.Topic()
            out.topic = name ?? topic.topic
            out.topicId = topic.topicId
            for requested in partitions {
                out.partitions.append(answer(requested, name: name, found: found, context: context))
            }
            response.responses.append(out)
        }
        return response
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
