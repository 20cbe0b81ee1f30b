import KafkaWire
import SluiceKernel

/// ControlledShutdown v0–3, answered by the controller: a stopping broker's leaderships
/// move to in-sync followers and it leaves the ISRs (see `ControllerRequests`). Another
/// broker, or a single node, answers NOT_CONTROLLER.
struct ControlledShutdownHandler: KafkaApiHandler {
    func handle(_ request: ControlledShutdownRequest, context: RequestContext) async -> ControlledShutdownResponse? {
        var response = ControlledShutdownResponse()
        guard await context.authorize(.cluster(.clusterAction)) else {
            response.errorCode = KafkaErrorCode.clusterAuthorizationFailed.rawValue
            return response
        }
        guard let controller = context.services.controller else {
            response.errorCode = KafkaErrorCode.notController.rawValue
            return response
        }
        do {
            let remaining = try await controller.controlledShutdown(brokerId: request.brokerId)
            response.remainingPartitions = remaining.map { .init(topicName: $0.topic, partitionIndex: $0.partition) }
        } catch {
            switch error {
            case .notController: response.errorCode = KafkaErrorCode.notController.rawValue
            case .coordination: response.errorCode = KafkaErrorCode.unknownServerError.rawValue
            }
            context.logger.info("ControlledShutdown of broker \(request.brokerId): \(error)")
        }
        return response
    }
}
