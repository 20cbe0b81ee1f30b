import Foundation
import KafkaWire
import SluiceKernel

/// CreateTopics 0–7: partitions (or the broker default), replication factor or explicit
/// replica assignment (checked by the broker: 1 on a single node, at most the live brokers
/// in a cluster), configs validated by the kernel, validate-only; v5+ return the effective
/// configs.
struct CreateTopicsHandler: KafkaApiHandler {
    func handle(_ request: CreateTopicsRequest, context: RequestContext) async -> CreateTopicsResponse? {
        var response = CreateTopicsResponse()
        let counts = Dictionary(request.topics.map { ($0.name, 1) }, uniquingKeysWith: +)
        // Create on the cluster, or else on each topic (Kafka's rule).
        let creatable = await context.authorize(.cluster(.create))
            ? Set(request.topics.map(\.name)) : await context.authorized(.create, .topic, request.topics.map(\.name))
        for topic in request.topics {
            var result = CreateTopicsResponse.Topic()
            result.name = topic.name
            do throws(TopicAdminRefusal) {
                guard counts[topic.name] == 1 else {
                    throw TopicAdminRefusal(.invalidRequest, "topic '\(topic.name)' appears more than once in the request")
                }
                guard creatable.contains(topic.name) else {
                    throw TopicAdminRefusal(.topicAuthorizationFailed, "\(context.principal) may not create topic \(topic.name): it needs Create on the cluster or the topic")
                }
                let (partitions, factor, assignment) = try layout(topic)
                let configs = topic.configs.reduce(into: [String: String]()) { $0[$1.name] = $1.value }
                let record: TopicRecord
                do {
                    record = try await context.topics.createTopic(topic.name, partitions: partitions, configs: configs,
                                                                 replicationFactor: factor, assignment: assignment,
                                                                 validateOnly: request.validateOnly)
                } catch {
                    throw TopicAdminRefusal(error.kafkaErrorCode, error.description)
                }
                result.topicId = request.validateOnly ? .zero : record.id
                result.numPartitions = record.partitionCount
                result.replicationFactor = Int16(record.replicas.first?.count ?? 1)
                result.configs = ConfigCatalog(settings: context.settings)
                    .topicEntries(record.configs, keys: nil).map(\.createTopicsConfig)
            } catch {
                result.errorCode = error.code.rawValue
                result.errorMessage = error.message
                result.configs = nil
                context.logger.debug("create topic '\(topic.name)' refused: \(error.message)")
            }
            response.topics.append(result)
        }
        return response
    }

    /// Partition count, replication factor and explicit assignment of one topic as the
    /// request gives them (nil = the broker's default); the broker checks them against the
    /// live brokers.
    private func layout(_ topic: CreateTopicsRequest.Topic) throws(TopicAdminRefusal) -> (Int32?, Int32?, [[Int32]]?) {
        guard !topic.assignments.isEmpty else {
            guard topic.numPartitions == -1 || topic.numPartitions > 0 else {
                throw TopicAdminRefusal(.invalidPartitions, "number of partitions must be positive or -1 (default), got \(topic.numPartitions)")
            }
            guard topic.replicationFactor == -1 || topic.replicationFactor > 0 else {
                throw TopicAdminRefusal(.invalidReplicationFactor, "replication factor must be positive or -1 (default), got \(topic.replicationFactor)")
            }
            return (topic.numPartitions == -1 ? nil : topic.numPartitions,
                    topic.replicationFactor == -1 ? nil : Int32(topic.replicationFactor), nil)
        }
        guard topic.numPartitions == -1, topic.replicationFactor == -1 else {
            throw TopicAdminRefusal(.invalidRequest, "give either replica assignments or partitions and replication factor, not both")
        }
        let sorted = topic.assignments.sorted { $0.partitionIndex < $1.partitionIndex }
        guard sorted.map(\.partitionIndex) == Array(0..<Int32(sorted.count)) else {
            throw TopicAdminRefusal(.invalidReplicaAssignment, "the assignment must name every partition 0..<n exactly once")
        }
        return (Int32(sorted.count), nil, sorted.map(\.brokerIds))
    }
}

/// DeleteTopics 0–6, by name or (v6) by topic id.
struct DeleteTopicsHandler: KafkaApiHandler {
    func handle(_ request: DeleteTopicsRequest, context: RequestContext) async -> DeleteTopicsResponse? {
        var response = DeleteTopicsResponse()
        let wanted = context.version >= 6 ? request.topics : request.topicNames.map { DeleteTopicsRequest.Topic(name: $0) }
        let all = wanted.contains { $0.name == nil } ? await context.topics.topics() : []
        let deletable = await context.authorized(.delete, .topic, wanted.compactMap { topic in
            topic.name ?? all.first { $0.id == topic.topicId }?.name
        })
        for topic in wanted {
            var result = DeleteTopicsResponse.Result()
            result.name = topic.name
            result.topicId = topic.topicId
            let name = topic.name ?? all.first { $0.id == topic.topicId }?.name
            if let name, !deletable.contains(name) {
                result.errorCode = KafkaErrorCode.topicAuthorizationFailed.rawValue
                result.errorMessage = "\(context.principal) may not delete topic \(name)"
            } else if let name {
                result.name = name
                if result.topicId == .zero { result.topicId = await context.topics.topic(named: name)?.id ?? .zero }
                do {
                    try await context.topics.deleteTopic(name)
                } catch {
                    result.errorCode = error.kafkaErrorCode.rawValue
                    result.errorMessage = error.description
                }
            } else {
                result.errorCode = KafkaErrorCode.unknownTopicId.rawValue
                result.errorMessage = "no topic has id \(topic.topicId)"
            }
            response.responses.append(result)
        }
        return response
    }
}

/// CreatePartitions 0–3: raises a topic's partition count (assignments, when given, are
/// checked by the broker like CreateTopics').
struct CreatePartitionsHandler: KafkaApiHandler {
    func handle(_ request: CreatePartitionsRequest, context: RequestContext) async -> CreatePartitionsResponse? {
        var response = CreatePartitionsResponse()
        let counts = Dictionary(request.topics.map { ($0.name, 1) }, uniquingKeysWith: +)
        let alterable = await context.authorized(.alter, .topic, request.topics.map(\.name))
        for topic in request.topics {
            var result = CreatePartitionsResponse.Result()
            result.name = topic.name
            do throws(TopicAdminRefusal) {
                guard counts[topic.name] == 1 else {
                    throw TopicAdminRefusal(.invalidRequest, "topic '\(topic.name)' appears more than once in the request")
                }
                guard alterable.contains(topic.name) else {
                    throw TopicAdminRefusal(.topicAuthorizationFailed, "\(context.principal) may not add partitions to topic \(topic.name)")
                }
                do {
                    try await context.topics.createPartitions(topic.name, total: topic.count, assignment: topic.assignments?.map(\.brokerIds),
                                                              validateOnly: request.validateOnly)
                } catch {
                    throw TopicAdminRefusal(error.kafkaErrorCode, error.description)
                }
            } catch {
                result.errorCode = error.code.rawValue
                result.errorMessage = error.message
            }
            response.results.append(result)
        }
        return response
    }
}

/// Why a topic admin request failed for one topic.
struct TopicAdminRefusal: Error {
    var code: KafkaErrorCode
    var message: String
    init(_ code: KafkaErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
