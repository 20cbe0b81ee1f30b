import KafkaWire
import SluiceKernel

/// WriteTxnMarkers 0–1: a transaction coordinator (another broker, in cluster mode) asks
/// this broker to write commit or abort control batches into partitions it leads. Each
/// partition is answered on its own: NOT_LEADER_OR_FOLLOWER when this broker does not
/// lead it (the coordinator looks the leader up again and retries there),
/// UNKNOWN_TOPIC_OR_PARTITION, INVALID_PRODUCER_EPOCH / TRANSACTION_COORDINATOR_FENCED for
/// a marker older than the partition has seen, KAFKA_STORAGE_ERROR. A marker is idempotent:
/// a partition where the producer has no open transaction answers NONE and writes nothing.
///
/// Only principals with ClusterAction on the cluster may send it, as in Kafka; the others
/// get CLUSTER_AUTHORIZATION_FAILED on every partition and nothing is written.
struct WriteTxnMarkersHandler: KafkaApiHandler {
    func handle(_ request: WriteTxnMarkersRequest, context: RequestContext) async -> WriteTxnMarkersResponse? {
        var response = WriteTxnMarkersResponse()
        guard await context.authorize(.cluster(.clusterAction)) else {
            response.markers = request.markers.map { wanted in
                .init(producerId: wanted.producerId, topics: wanted.topics.map { topic in
                    WriteTxnMarkersResponse.TopicResult(name: topic.name, partitions: topic.partitionIndexes.map {
                        .init(partitionIndex: $0, errorCode: KafkaErrorCode.clusterAuthorizationFailed.rawValue)
                    })
                })
            }
            return response
        }
        for wanted in request.markers {
            let marker = TransactionMarker(producerId: wanted.producerId, producerEpoch: wanted.producerEpoch,
                                           commit: wanted.transactionResult, coordinatorEpoch: wanted.coordinatorEpoch)
            let partitions = wanted.topics.flatMap { topic in topic.partitionIndexes.map { TopicPartition(topic.name, $0) } }
            let failed = partitions.isEmpty ? [:] : await context.appender.writeMarkers(marker, partitions: partitions)
            for (tp, error) in failed {
                context.logger.info("WriteTxnMarkers: \(marker.commit ? "commit" : "abort") marker of producer \(marker.producerId) on \(tp) refused: \(error)")
            }
            let topics = wanted.topics.map { topic in
                WriteTxnMarkersResponse.TopicResult(name: topic.name, partitions: topic.partitionIndexes.map { index in
                    let error = failed[TopicPartition(topic.name, index)]
                    return .init(partitionIndex: index, errorCode: (error?.kafkaErrorCode ?? .none).rawValue)
                })
            }
            response.markers.append(.init(producerId: wanted.producerId, topics: topics))
        }
        return response
    }
}
