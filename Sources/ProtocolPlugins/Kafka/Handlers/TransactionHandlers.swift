import KafkaWire
import SluiceKernel

/// AddPartitionsToTxn 0–5: v0–3 one transaction from a producer; v4+ a batch of
/// transactions, each possibly `verifyOnly` (KIP-890, sent by brokers). Partitions of
/// unknown topics get UNKNOWN_TOPIC_OR_PARTITION and the rest of that transaction
/// OPERATION_NOT_ATTEMPTED, as Kafka answers.
struct AddPartitionsToTxnHandler: KafkaApiHandler {
    func handle(_ request: AddPartitionsToTxnRequest, context: RequestContext) async -> AddPartitionsToTxnResponse? {
        var response = AddPartitionsToTxnResponse()
        if context.version <= 3 {
            response.resultsByTopicV3AndBelow = await add(
                transactionalId: request.v3AndBelowTransactionalId, producerId: request.v3AndBelowProducerId,
                producerEpoch: request.v3AndBelowProducerEpoch, topics: request.v3AndBelowTopics, verifyOnly: false, context: context)
            return response
        }
        // The batched form is sent by brokers (KIP-890): ClusterAction on the cluster.
        guard await context.authorize(.cluster(.clusterAction)) else {
            response.errorCode = KafkaErrorCode.clusterAuthorizationFailed.rawValue
            return response
        }
        for transaction in request.transactions {
            var result = AddPartitionsToTxnResponse.TransactionResult()
            result.transactionalId = transaction.transactionalId
            result.topicResults = await add(transactionalId: transaction.transactionalId, producerId: transaction.producerId,
                                            producerEpoch: transaction.producerEpoch, topics: transaction.topics,
                                            verifyOnly: transaction.verifyOnly, context: context)
            response.resultsByTransaction.append(result)
        }
        return response
    }

    private func add(transactionalId: String, producerId: Int64, producerEpoch: Int16, topics: [AddPartitionsToTxnRequest.Topic],
                     verifyOnly: Bool, context: RequestContext) async -> [AddPartitionsToTxnResponse.TopicResult] {
        var errors: [TopicPartition: Int16] = [:]
        let partitions = topics.flatMap { topic in topic.partitions.map { TopicPartition(topic.name, $0) } }
        var unknown: Set<TopicPartition> = []
        // Write on the transactional id, then Write on each topic (Kafka's rules).
        let mayWriteTxn = await context.authorize(AuthorizationAction(.write, .transactionalId, transactionalId))
        let writable = mayWriteTxn ? await context.authorized(.write, .topic, topics.map(\.name)) : []
        if !mayWriteTxn || partitions.contains(where: { !writable.contains($0.topic) }) {
            for tp in partitions {
                errors[tp] = (!mayWriteTxn ? KafkaErrorCode.transactionalIdAuthorizationFailed
                    : writable.contains(tp.topic) ? .operationNotAttempted : .topicAuthorizationFailed).rawValue
            }
            return Self.results(topics, errors)
        }
        for tp in partitions {
            let record = await context.topics.topic(named: tp.topic)
            if record == nil || tp.partition < 0 || tp.partition >= record!.partitionCount { unknown.insert(tp) }
        }
        if !unknown.isEmpty {
            for tp in partitions {
                errors[tp] = (unknown.contains(tp) ? KafkaErrorCode.unknownTopicOrPartition : .operationNotAttempted).rawValue
            }
        } else {
            let results = await context.transactions.addPartitions(transactionalId: transactionalId, producerId: producerId,
                                                                   producerEpoch: producerEpoch, partitions: partitions, verifyOnly: verifyOnly)
            for tp in partitions { errors[tp] = (results[tp] ?? nil).kafkaCode(fencedIsKnown: context.version >= 2) }
        }
        return Self.results(topics, errors)
    }

    private static func results(_ topics: [AddPartitionsToTxnRequest.Topic], _ errors: [TopicPartition: Int16]) -> [AddPartitionsToTxnResponse.TopicResult] {
        topics.map { topic in
            var result = AddPartitionsToTxnResponse.TopicResult()
            result.name = topic.name
            result.resultsByPartition = topic.partitions.map { index in
                var partition = AddPartitionsToTxnResponse.PartitionResult()
                partition.partitionIndex = index
                partition.partitionErrorCode = errors[TopicPartition(topic.name, index)] ?? 0
                return partition
            }
            return result
        }
    }
}

/// AddOffsetsToTxn 0–4: the transaction will commit offsets of a consumer group
/// (`sendOffsetsToTransaction`), which TxnOffsetCommit then stages.
struct AddOffsetsToTxnHandler: KafkaApiHandler {
    func handle(_ request: AddOffsetsToTxnRequest, context: RequestContext) async -> AddOffsetsToTxnResponse? {
        var response = AddOffsetsToTxnResponse()
        guard !request.groupId.isEmpty else {
            response.errorCode = KafkaErrorCode.invalidGroupId.rawValue
            return response
        }
        // Write on the transactional id, Read on the group (Kafka's rules).
        let allowed = await context.authorize([AuthorizationAction(.write, .transactionalId, request.transactionalId),
                                               AuthorizationAction(.read, .group, request.groupId)])
        guard allowed[0] else {
            response.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.rawValue
            return response
        }
        guard allowed[1] else {
            response.errorCode = KafkaErrorCode.groupAuthorizationFailed.rawValue
            return response
        }
        let error = await context.transactions.addOffsets(transactionalId: request.transactionalId, producerId: request.producerId,
                                                          producerEpoch: request.producerEpoch, groupId: request.groupId)
        response.errorCode = error.kafkaCode(fencedIsKnown: context.version >= 2)
        return response
    }
}

/// EndTxn 0–4: commits or aborts the producer's transaction; answered once the decision
/// is stored and the markers were tried.
struct EndTxnHandler: KafkaApiHandler {
    func handle(_ request: EndTxnRequest, context: RequestContext) async -> EndTxnResponse? {
        var response = EndTxnResponse()
        guard await context.authorize(AuthorizationAction(.write, .transactionalId, request.transactionalId)) else {
            response.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.rawValue
            return response
        }
        let error = await context.transactions.endTransaction(transactionalId: request.transactionalId, producerId: request.producerId,
                                                              producerEpoch: request.producerEpoch, commit: request.committed)
        if let error {
            context.logger.info("EndTxn for transactional id '\(request.transactionalId)' refused: \(error)")
        }
        response.errorCode = error.kafkaCode(fencedIsKnown: context.version >= 2)
        return response
    }
}
