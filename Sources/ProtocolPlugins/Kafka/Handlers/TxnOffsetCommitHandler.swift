import Foundation
import KafkaWire
import SluiceKernel

/// TxnOffsetCommit 0–4: offsets a transaction commits for a group, staged by the group
/// coordinator until the transaction commits (then they become the group's committed
/// offsets) or aborts (then they vanish). v3+ carries the member id, generation and
/// instance id, checked as OffsetCommit checks them (KIP-447).
struct TxnOffsetCommitHandler: KafkaApiHandler {
    func handle(_ request: TxnOffsetCommitRequest, context: RequestContext) async -> TxnOffsetCommitResponse? {
        var offsets: [TopicPartition: CommittedOffset] = [:]
        let now = Date()
        for topic in request.topics {
            for partition in topic.partitions {
                offsets[TopicPartition(topic.name, partition.partitionIndex)] = CommittedOffset(
                    offset: partition.committedOffset,
                    leaderEpoch: partition.committedLeaderEpoch >= 0 ? partition.committedLeaderEpoch : nil,
                    metadata: partition.committedMetadata, commitTime: now)
            }
        }
        let code: Int16
        // Write on the transactional id, Read on the group, Read on each topic (Kafka's rules).
        let allowed = await context.authorize([AuthorizationAction(.write, .transactionalId, request.transactionalId),
                                               AuthorizationAction(.read, .group, request.groupId)])
        let readable = await context.authorized(.read, .topic, request.topics.map(\.name))
        if !allowed[0] {
            code = KafkaErrorCode.transactionalIdAuthorizationFailed.rawValue
        } else if !allowed[1] {
            code = KafkaErrorCode.groupAuthorizationFailed.rawValue
        } else if request.topics.contains(where: { !readable.contains($0.name) }) {
            code = KafkaErrorCode.topicAuthorizationFailed.rawValue
        } else if let error = await verifyProducer(request, context: context) {
            code = error
        } else {
            let error = await context.groups.commitTransactionalOffsets(
                groupId: request.groupId, producerId: request.producerId, generationId: context.version >= 3 ? request.generationId : -1,
                memberId: context.version >= 3 ? request.memberId : "", groupInstanceId: context.version >= 3 ? request.groupInstanceId : nil,
                offsets: offsets)
            if let error { context.logger.info("TxnOffsetCommit for group '\(request.groupId)' refused: \(error)") }
            code = error.kafkaCode
        }
        var response = TxnOffsetCommitResponse()
        response.topics = request.topics.map { topic in
            var answer = TxnOffsetCommitResponse.Topic()
            answer.name = topic.name
            answer.partitions = topic.partitions.map {
                var partition = TxnOffsetCommitResponse.Partition()
                partition.partitionIndex = $0.partitionIndex
                partition.errorCode = code
                return partition
            }
            return answer
        }
        return response
    }

    /// The producer must be the transactional id's current one, with the group added to
    /// its ongoing transaction (AddOffsetsToTxn): otherwise nothing would ever apply or
    /// drop the staged offsets. Checked with a verify-only add of no partitions.
    private func verifyProducer(_ request: TxnOffsetCommitRequest, context: RequestContext) async -> Int16? {
        guard await context.transactions.coordinates(request.transactionalId) else { return nil }
        let open = await context.transactions.describe(transactionalId: request.transactionalId)
        guard case .success(let description?) = open else { return nil }
        let fencedIsKnown = context.version >= 3
        if description.producerId != request.producerId {
            return KafkaErrorCode.invalidProducerIdMapping.rawValue
        }
        if description.producerEpoch != request.producerEpoch {
            return (fencedIsKnown ? KafkaErrorCode.producerFenced : .invalidProducerEpoch).rawValue
        }
        if description.status != .ongoing || !description.groups.contains(request.groupId) {
            return KafkaErrorCode.invalidTxnState.rawValue
        }
        return nil
    }
}
