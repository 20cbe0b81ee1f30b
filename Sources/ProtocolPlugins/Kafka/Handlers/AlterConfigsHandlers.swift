import KafkaWire
import SluiceKernel

/// IncrementalAlterConfigs 0–1: SET and DELETE of topic config overrides through
/// `Broker.alterTopicConfigs` (validated there, durable in the metadata store before the
/// answer); APPEND and SUBTRACT of list configs (cleanup.policy, the throttled-replica
/// lists) start from the topic's current value, its default when it has no override.
struct IncrementalAlterConfigsHandler: KafkaApiHandler {
    typealias Operation = IncrementalAlterConfigsRequest.Operation

    func handle(_ request: IncrementalAlterConfigsRequest, context: RequestContext) async -> IncrementalAlterConfigsResponse? {
        var response = IncrementalAlterConfigsResponse()
        let allowed = await context.authorize(request.resources.map { ConfigAuthorization.action(.alterConfigs, $0.resourceType, $0.resourceName) })
        for (resource, allowed) in zip(request.resources, allowed) {
            guard allowed else {
                response.responses.append(ConfigAuthorization.refused(resource.resourceType, resource.resourceName, context: context))
                continue
            }
            response.responses.append(await alter(resource, validateOnly: request.validateOnly, topics: context.topics))
        }
        return response
    }

    private func alter(_ resource: IncrementalAlterConfigsRequest.Resource, validateOnly: Bool, topics: any TopicAdministration) async -> AlterConfigsResult {
        var changes: [String: String?] = [:]
        for config in resource.configs {
            if changes.keys.contains(config.name) {
                return .outcome(resource.resourceType, resource.resourceName, .invalidRequest,
                                "config '\(config.name)' appears more than once; give each key once")
            }
            switch config.configOperation {
            case Operation.set:
                guard let value = config.value else {
                    return .outcome(resource.resourceType, resource.resourceName, .invalidRequest,
                                    "SET of '\(config.name)' has no value; use DELETE to remove an override")
                }
                changes[config.name] = .some(value)
            case Operation.delete:
                changes[config.name] = .some(nil)
            case Operation.append, Operation.subtract:
                guard resource.resourceType == DescribeConfigsRequest.ResourceType.topic else { break }
                let items = TopicConfigs.items(config.value ?? "")
                let append = config.configOperation == Operation.append
                do {
                    changes[config.name] = .some(try await topics.resolveListChange(
                        topic: resource.resourceName, config: config.name,
                        append: append ? items : nil, subtract: append ? nil : items))
                } catch {
                    return .outcome(resource.resourceType, resource.resourceName, error.kafkaErrorCode, error.description)
                }
            default:
                return .outcome(resource.resourceType, resource.resourceName, .invalidRequest,
                                "unknown config operation \(config.configOperation) for '\(config.name)' (0 SET, 1 DELETE)")
            }
        }
        return await AlterTopicConfigs.apply(changes, type: resource.resourceType, name: resource.resourceName,
                                             validateOnly: validateOnly, topics: topics)
    }
}

/// AlterConfigs 0–2: the legacy, non-incremental form. The listed configs become the
/// topic's whole set of overrides; overrides not listed return to their defaults.
struct AlterConfigsHandler: KafkaApiHandler {
    func handle(_ request: AlterConfigsRequest, context: RequestContext) async -> AlterConfigsResponse? {
        var response = AlterConfigsResponse()
        let allowed = await context.authorize(request.resources.map { ConfigAuthorization.action(.alterConfigs, $0.resourceType, $0.resourceName) })
        for (resource, allowed) in zip(request.resources, allowed) {
            guard allowed else {
                response.responses.append(ConfigAuthorization.refused(resource.resourceType, resource.resourceName, context: context))
                continue
            }
            var changes: [String: String?] = [:]
            if resource.resourceType == DescribeConfigsRequest.ResourceType.topic,
               let topic = await context.topics.topic(named: resource.resourceName) {
                for key in topic.configs.keys { changes[key] = .some(nil) }
            }
            for config in resource.configs { changes[config.name] = .some(config.value) }
            response.responses.append(await AlterTopicConfigs.apply(changes, type: resource.resourceType, name: resource.resourceName,
                                                                    validateOnly: request.validateOnly, topics: context.topics))
        }
        return response
    }
}

/// The part both alter-config APIs share: only topics can be altered (broker settings
/// come from plugins.json), and the kernel validates and stores the change.
enum AlterTopicConfigs {
    static func apply(_ changes: [String: String?], type: Int8, name: String, validateOnly: Bool, topics: any TopicAdministration) async -> AlterConfigsResult {
        switch type {
        case DescribeConfigsRequest.ResourceType.topic:
            do {
                try await topics.alterTopicConfigs(name, set: changes, validateOnly: validateOnly)
                return .outcome(type, name, .none, nil)
            } catch {
                return .outcome(type, name, error.kafkaErrorCode, error.description)
            }
        case DescribeConfigsRequest.ResourceType.broker:
            return .outcome(type, name, .invalidRequest,
                            "broker settings are read-only at run time: change plugins.json and restart sluice")
        default:
            return .outcome(type, name, .invalidRequest, "resource type \(type) cannot be altered; use 2 (topic)")
        }
    }
}

/// What the config APIs check: (Describe|Alter)Configs on the topic, or on the cluster for
/// a broker resource (Kafka's rules).
enum ConfigAuthorization {
    static func action(_ operation: AclOperation, _ type: Int8, _ name: String) -> AuthorizationAction {
        type == DescribeConfigsRequest.ResourceType.topic ? AuthorizationAction(operation, .topic, name) : .cluster(operation)
    }

    /// TOPIC_ or CLUSTER_AUTHORIZATION_FAILED for one resource.
    static func refused(_ type: Int8, _ name: String, context: RequestContext) -> AlterConfigsResult {
        let topic = type == DescribeConfigsRequest.ResourceType.topic
        return .outcome(type, name, topic ? .topicAuthorizationFailed : .clusterAuthorizationFailed,
                        "\(context.principal) may not alter the configs of \(topic ? "topic \(name)" : "the cluster")")
    }
}

extension AlterConfigsResult {
    /// A result for one resource (`.none`: success, no message).
    static func outcome(_ type: Int8, _ name: String, _ code: KafkaErrorCode, _ message: String?) -> AlterConfigsResult {
        var result = AlterConfigsResult()
        result.resourceType = type
        result.resourceName = name
        result.errorCode = code.rawValue
        result.errorMessage = code == .none ? nil : message
        return result
    }
}
