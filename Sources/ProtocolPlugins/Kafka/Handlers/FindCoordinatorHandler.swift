/// FindCoordinator 0–6: on a single node this broker coordinates every consumer group.
/// Transaction coordinators are refused (transactions are later work) with the same
/// error InitProducerId gives a transactional id.
///
/// It is implemented ahead of the group APIs because librdkafka (kcat, confluent-kafka)
/// enables LZ4 compression only when FindCoordinator is listed in ApiVersions; without it
/// `compression.type=lz4` silently produces uncompressed batches.
struct FindCoordinatorHandler: KafkaApiHandler {
    typealias KeyType = FindCoordinatorRequest.KeyType

    func handle(_ request: FindCoordinatorRequest, context: RequestContext) async -> FindCoordinatorResponse? {
        let batched = context.version >= 4
        let keys = batched ? request.coordinatorKeys : [request.key]
        let coordinators = keys.map { coordinator(for: $0, type: request.keyType, server: context.server) }
        var response = FindCoordinatorResponse()
        if batched {
            response.coordinators = coordinators
        } else if let only = coordinators.first {
            response.errorCode = only.errorCode
            response.errorMessage = only.errorMessage
            response.nodeId = only.nodeId
            response.host = only.host
            response.port = only.port
        }
        return response
    }

    private func coordinator(for key: String, type: Int8, server: ServerIdentity) -> FindCoordinatorResponse.Coordinator {
        var coordinator = FindCoordinatorResponse.Coordinator()
        coordinator.key = key
        switch type {
        case KeyType.group:
            coordinator.nodeId = server.nodeId
            coordinator.host = server.advertised.host
            coordinator.port = Int32(server.advertised.port)
        case KeyType.transaction:
            coordinator.nodeId = -1
            coordinator.port = -1
            coordinator.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.rawValue
            coordinator.errorMessage = "transactions are not supported; produce without transactional.id"
        default:
            coordinator.nodeId = -1
            coordinator.port = -1
            coordinator.errorCode = KafkaErrorCode.invalidRequest.rawValue
            coordinator.errorMessage = "coordinator key type \(type) is not supported; 0 (group) is"
        }
        return coordinator
    }
}
