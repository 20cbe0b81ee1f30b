import KafkaWire
import SluiceKernel

/// InitProducerId 0–5. Idempotent producers: a new producer id with epoch 0, or (v3+,
/// after INVALID_PRODUCER_EPOCH and similar) the same id with the next epoch, which
/// restarts its sequence numbers. Transactional producers: the transaction coordinator's
/// producer id and next epoch, which fences older producers with the same transactional id.
struct InitProducerIdHandler: KafkaApiHandler {
    func handle(_ request: InitProducerIdRequest, context: RequestContext) async -> InitProducerIdResponse? {
        var response = InitProducerIdResponse()
        if let transactionalId = request.transactionalId {
            guard !transactionalId.isEmpty else {
                response.errorCode = KafkaErrorCode.invalidRequest.rawValue
                return response
            }
            guard await context.authorize(AuthorizationAction(.write, .transactionalId, transactionalId)) else {
                response.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.rawValue
                return response
            }
            let expected = request.producerId >= 0 ? TransactionalProducer(producerId: request.producerId, producerEpoch: request.producerEpoch) : nil
            switch await context.transactions.initProducerId(transactionalId: transactionalId, timeoutMs: request.transactionTimeoutMs,
                                                             expected: expected) {
            case .success(let producer):
                response.producerId = producer.producerId
                response.producerEpoch = producer.producerEpoch
                context.logger.debug("transactional id '\(transactionalId)': producer id \(producer.producerId) epoch \(producer.producerEpoch)")
            case .failure(let error):
                context.logger.info("InitProducerId for transactional id '\(transactionalId)' refused: \(error)")
                response.errorCode = error.kafkaErrorCode(fencedIsKnown: context.version >= 4).rawValue
            }
            return response
        }
        // IdempotentWrite on the cluster, or Write on any topic (KIP-679, Kafka's rule).
        if !(await context.authorize(.cluster(.idempotentWrite))),
           !(await context.services.authorizer.authorizeAny(context.authorization, .write, .topic)) {
            response.errorCode = KafkaErrorCode.clusterAuthorizationFailed.rawValue
            return response
        }
        if request.producerId >= 0, request.producerEpoch >= 0, request.producerEpoch < Int16.max - 1 {
            response.producerId = request.producerId
            response.producerEpoch = request.producerEpoch + 1
        } else {
            response.producerId = await context.appender.allocateProducerId()
            response.producerEpoch = 0
        }
        context.logger.debug("producer id \(response.producerId) epoch \(response.producerEpoch)")
        return response
    }
}
