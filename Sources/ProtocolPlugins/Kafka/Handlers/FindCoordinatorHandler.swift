import KafkaWire
import SluiceKernel

/// FindCoordinator 0–6 for consumer groups (key type 0) and transactional ids (1): on a
/// single node this broker coordinates every group and transactional id, so the answer is
/// always its own advertised address; in a cluster, the broker the cluster view assigns
/// the key to (transactional ids are placed as groups are). Share groups are not
/// implemented: that key type gets INVALID_REQUEST with a message saying so.
struct FindCoordinatorHandler: KafkaApiHandler {
    func handle(_ request: FindCoordinatorRequest, context: RequestContext) async -> FindCoordinatorResponse? {
        var response = FindCoordinatorResponse()
        if context.version >= 4 {
            for key in request.coordinatorKeys {
                let answer = await answer(keyType: request.keyType, key: key, context: context)
                var coordinator = FindCoordinatorResponse.Coordinator()
                coordinator.key = key
                coordinator.nodeId = answer.nodeId
                coordinator.host = answer.host
                coordinator.port = answer.port
                coordinator.errorCode = answer.error.rawValue
                coordinator.errorMessage = answer.message
                response.coordinators.append(coordinator)
            }
        } else {
            let answer = await answer(keyType: request.keyType, key: request.key, context: context)
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

    private func answer(keyType: Int8, key: String, context: RequestContext) async -> Answer {
        switch keyType {
        case FindCoordinatorRequest.KeyType.group, FindCoordinatorRequest.KeyType.transaction:
            // Describe on the group or transactional id (Kafka's rule).
            let isGroup = keyType == FindCoordinatorRequest.KeyType.group
            guard await context.authorize(AuthorizationAction(.describe, isGroup ? .group : .transactionalId, key)) else {
                return Answer(error: isGroup ? .groupAuthorizationFailed : .transactionalIdAuthorizationFailed,
                              message: "\(context.principal) may not describe \(isGroup ? "group" : "transactional id") \(key)")
            }
            if let view = context.observation.clusterView {
                // As Kafka: the group's coordinator leads its __consumer_offsets partition, so
                // the first group request creates that topic (a no-op once it exists).
                _ = await context.topics.lookupTopics([OffsetsTopic.name], allowAutoCreate: true)
                guard let coordinator = await view.groupCoordinator(for: key) else {
                    return Answer(error: .coordinatorNotAvailable, message: "no live broker is registered yet")
                }
                return Answer(nodeId: coordinator.id, host: coordinator.host, port: coordinator.port)
            }
            let address = context.server.advertised
            return Answer(nodeId: context.server.nodeId, host: address.host, port: Int32(address.port))
        default:
            return Answer(error: .invalidRequest, message: "coordinator key type \(keyType) is not supported; only consumer groups (0) and transactions (1) are")
        }
    }
}
