import KafkaWire

/// InitProducerId 0–5 for idempotent producers: a new producer id with epoch 0, or (v3+,
/// after INVALID_PRODUCER_EPOCH and similar) the same id with the next epoch, which
/// restarts its sequence numbers. Transactional ids are refused: transactions are later work.
struct InitProducerIdHandler: KafkaApiHandler {
    func handle(_ request: InitProducerIdRequest, context: RequestContext) async -> InitProducerIdResponse? {
        var response = InitProducerIdResponse()
        if let transactionalId = request.transactionalId {
            context.logger.info("refusing InitProducerId for transactional id '\(transactionalId)': transactions are not supported")
            response.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.rawValue
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
