import KafkaWire
import SluiceKernel

/// OffsetForLeaderEpoch v0–4: the leader's answer to "where did epoch E end?", from its
/// leader-epoch cache. Followers ask it before fetching from a new leader.
struct OffsetForLeaderEpochHandler: KafkaApiHandler {
    func handle(_ request: OffsetForLeaderEpochRequest, context: RequestContext) async -> OffsetForLeaderEpochResponse? {
        var response = OffsetForLeaderEpochResponse()
        // Followers need ClusterAction on the cluster, consumers Describe on the topic.
        let described: Set<String>
        if request.replicaId >= 0 {
            described = await context.authorize(.cluster(.clusterAction)) ? Set(request.topics.map(\.topic)) : []
        } else {
            described = await context.authorized(.describe, .topic, request.topics.map(\.topic))
        }
        for topic in request.topics {
            var out = OffsetForLeaderEpochResponse.Topic()
            out.topic = topic.topic
            for asked in topic.partitions {
                var answer = OffsetForLeaderEpochResponse.Partition()
                answer.partition = asked.partition
                guard described.contains(topic.topic) else {
                    answer.errorCode = (request.replicaId >= 0 ? KafkaErrorCode.clusterAuthorizationFailed : .topicAuthorizationFailed).rawValue
                    out.partitions.append(answer)
                    continue
                }
                do {
                    let found = try await context.reader.offsetForLeaderEpoch(
                        TopicPartition(topic.topic, asked.partition),
                        currentLeaderEpoch: asked.currentLeaderEpoch, leaderEpoch: asked.leaderEpoch)
                    answer.leaderEpoch = found.leaderEpoch
                    answer.endOffset = found.endOffset
                } catch {
                    answer.errorCode = error.kafkaErrorCode.rawValue
                    context.logger.debug("OffsetForLeaderEpoch \(topic.topic)-\(asked.partition): \(error)")
                }
                out.partitions.append(answer)
            }
            response.topics.append(out)
        }
        return response
    }
}
