import KafkaWire
import SluiceKernel

/// DescribeProducers 0 (KIP-664; the only version in Kafka 3.9's spec): the producers each
/// asked partition holds state for, with the start offset of their open transaction, as
/// `kafka-transactions.sh find-hanging` and `sluice transactions find-hanging` read them.
/// Answered by partition leaders only: elsewhere NOT_LEADER_OR_FOLLOWER (clients route it
/// to the leader), UNKNOWN_TOPIC_OR_PARTITION for partitions that do not exist.
/// Read on the topic is required (TOPIC_AUTHORIZATION_FAILED per partition), as in Kafka.
struct DescribeProducersHandler: KafkaApiHandler {
    func handle(_ request: DescribeProducersRequest, context: RequestContext) async -> DescribeProducersResponse? {
        var response = DescribeProducersResponse()
        let readable = await context.authorized(.read, .topic, request.topics.map(\.name))
        for topic in request.topics {
            var result = DescribeProducersResponse.Topic(name: topic.name, partitions: [])
            for index in topic.partitionIndexes {
                guard readable.contains(topic.name) else {
                    var refused = DescribeProducersResponse.Partition()
                    refused.partitionIndex = index
                    refused.errorCode = KafkaErrorCode.topicAuthorizationFailed.rawValue
                    refused.errorMessage = "describing producers needs Read on topic '\(topic.name)'"
                    result.partitions.append(refused)
                    continue
                }
                result.partitions.append(await describe(TopicPartition(topic.name, index), context: context))
            }
            response.topics.append(result)
        }
        return response
    }

    private func describe(_ tp: TopicPartition, context: RequestContext) async -> DescribeProducersResponse.Partition {
        var partition = DescribeProducersResponse.Partition()
        partition.partitionIndex = tp.partition
        do throws(BrokerError) {
            _ = try await context.reader.checkLeader(tp, currentLeaderEpoch: -1)
            partition.activeProducers = try await context.reader.describeProducers(tp).map { state in
                var producer = DescribeProducersResponse.ProducerState()
                producer.producerId = state.producerId
                producer.producerEpoch = Int32(state.producerEpoch)
                producer.lastSequence = state.lastSequence
                producer.lastTimestamp = state.lastTimestamp
                producer.coordinatorEpoch = state.coordinatorEpoch
                producer.currentTxnStartOffset = state.currentTransactionStartOffset
                return producer
            }
        } catch {
            partition.errorCode = error.kafkaErrorCode.rawValue
            partition.errorMessage = error.description
        }
        return partition
    }
}
