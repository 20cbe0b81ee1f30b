import KafkaWire
import SluiceKernel

/// DescribeConfigs 0–4: topic configs (override, broker default or fixed default, with
/// synonyms when asked) and the broker's read-only settings.
struct DescribeConfigsHandler: KafkaApiHandler {
    typealias ResourceType = DescribeConfigsRequest.ResourceType

    func handle(_ request: DescribeConfigsRequest, context: RequestContext) async -> DescribeConfigsResponse? {
        var response = DescribeConfigsResponse()
        let catalog = ConfigCatalog(settings: context.settings)
        let allowed = await context.authorize(request.resources.map { ConfigAuthorization.action(.describeConfigs, $0.resourceType, $0.resourceName) })
        for (resource, allowed) in zip(request.resources, allowed) {
            var result = DescribeConfigsResponse.Result()
            result.resourceType = resource.resourceType
            result.resourceName = resource.resourceName
            guard allowed else {
                let topic = resource.resourceType == ResourceType.topic
                result.errorCode = (topic ? KafkaErrorCode.topicAuthorizationFailed : .clusterAuthorizationFailed).rawValue
                result.errorMessage = "\(context.principal) may not describe the configs of \(topic ? "topic \(resource.resourceName)" : "the cluster")"
                response.results.append(result)
                continue
            }
            let entries: [ConfigCatalog.Entry]
            switch resource.resourceType {
            case ResourceType.topic:
                guard let topic = await context.topics.topic(named: resource.resourceName) else {
                    result.errorCode = KafkaErrorCode.unknownTopicOrPartition.rawValue
                    result.errorMessage = "topic '\(resource.resourceName)' does not exist"
                    response.results.append(result)
                    continue
                }
                entries = catalog.topicEntries(topic.configs, keys: resource.configurationKeys)
            case ResourceType.broker where resource.resourceName.isEmpty || resource.resourceName == "\(context.server.nodeId)":
                entries = catalog.brokerEntries(listener: context.server.listener, advertised: context.server.advertised,
                                                socketRequestMaxBytes: context.server.socketRequestMaxBytes,
                                                keys: resource.configurationKeys)
            case ResourceType.broker:
                result.errorCode = KafkaErrorCode.invalidRequest.rawValue
                result.errorMessage = "broker '\(resource.resourceName)' is not this broker (\(context.server.nodeId))"
                response.results.append(result)
                continue
            default:
                result.errorCode = KafkaErrorCode.invalidRequest.rawValue
                result.errorMessage = "resource type \(resource.resourceType) is not supported; use 2 (topic) or 4 (broker)"
                response.results.append(result)
                continue
            }
            result.configs = entries.map {
                $0.describeConfig(synonyms: request.includeSynonyms, documentation: request.includeDocumentation)
            }
            response.results.append(result)
        }
        return response
    }
}
