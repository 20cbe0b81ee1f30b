import SluiceKernel

/// FindCoordinator 0–6: on a single node this broker coordinates every group, so the
/// answer is always its own advertised address. Transactions and share groups are not
/// implemented: those key types get COORDINATOR_NOT_AVAILABLE / INVALID_REQUEST with a
/// message saying so, rather than an address whose APIs would then fail.
struct FindCoordinatorHandler: KafkaApiHandler {
    func handle(_ request: FindCoordinatorRequest, context: RequestContext) async -> FindCoordinatorResponse? {
        var response = FindCoordinatorResponse()
        if context.version >= 4 {
            response.coordinators = request.coordinatorKeys.map { key in
                let answer = answer(keyType: request.keyType, context: context)
                var coordinator = FindCoordinatorResponse.Coordinator()
                coordinator.key = key
                coordinator.nodeId = answer.nodeId
                coordinator.host = answer.host
                coordinator.port = answer.port
                coordinator.errorCode = answer.error.rawValue
                coordinator.errorMessage = answer.message
                return coordinator
            }
        } else {
            let answer = answer(keyType: request.keyType, context: context)
            response.nodeId = answer.nodeId
            response.host = answer.host
            response.port = answer.port
            response.errorCode = answer.error.rawValue
            response.errorMessage = answer.message
        }
        return response
    }

    private struct Answer {
        var nodeId: Int32 = -1
        var host = ""
        var port: Int32 = -1
        var error = KafkaErrorCode.none
        var message: String?
    }

    private func answer(keyType: Int8, context: RequestContext) -> Answer {
        switch keyType {
        case FindCoordinatorRequest.KeyType.group:
            let address = context.server.advertised
            return Answer(nodeId: context.server.nodeId, host: address.host, port: Int32(address.port))
        case FindCoordinatorRequest.KeyType.transaction:
            return Answer(error: .coordinatorNotAvailable, message: "transactions are not supported by this broker")
        default:
            return Answer(error: .invalidRequest, message: "coordinator key type \(keyType) is not supported; only consumer groups (0) are")
        }
    }
}
