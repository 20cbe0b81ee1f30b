import Foundation
import KafkaWire
import SluiceKernel

/// Metadata 0–12: topics by name or (v12) by id; unknown topics auto-created when the
/// request and the broker allow. On a single node this broker leads every partition; in a
/// cluster the live brokers, the controller and each partition's leader, epoch, replicas
/// and ISR come from the cluster view (a partition without a live leader reports
/// LEADER_NOT_AVAILABLE, as Kafka does).
struct MetadataHandler: KafkaApiHandler {
    /// Kafka's ACL operation bits a client may see as authorized: without ACLs, all of them.
    static let topicOperations: Int32 = [3, 4, 5, 6, 7, 8, 10, 11].reduce(0) { $0 | (1 << $1) }
    static let clusterOperations: Int32 = [5, 7, 8, 9, 10, 11, 12].reduce(0) { $0 | (1 << $1) }

    func handle(_ request: MetadataRequest, context: RequestContext) async -> MetadataResponse? {
        var response = MetadataResponse()
        let view = context.observation.clusterView
        var live: Set<Int32> = [context.server.nodeId]
        if let view {
            let brokers = await view.brokers
            live = Set(brokers.map(\.id))
            response.brokers = brokers.map { endpoint in
                var broker = MetadataResponse.Broker()
                broker.nodeId = endpoint.id
                broker.host = endpoint.host
                broker.port = endpoint.port
                broker.rack = endpoint.rack
                return broker
            }
            response.controllerId = await view.controller?.brokerId ?? -1
        } else {
            response.brokers = [context.server.metadataBroker]
            response.controllerId = context.server.nodeId
        }
        response.clusterId = context.server.clusterId
        if request.includeClusterAuthorizedOperations { response.clusterAuthorizedOperations = Self.clusterOperations }

        // v0 has no null: an empty list asks for every topic there.
        let wanted = context.version == 0 && request.topics?.isEmpty == true ? nil : request.topics
        var byName: [String]? = nil
        if let wanted {
            var names: [String] = []
            let all = wanted.contains { $0.name == nil } ? await context.topics.topics() : []
            for topic in wanted {
                if let name = topic.name {
                    names.append(name)
                } else if let record = all.first(where: { $0.id == topic.topicId }) {
                    names.append(record.name)
                } else {
                    var missing = MetadataResponse.Topic()
                    missing.errorCode = KafkaErrorCode.unknownTopicId.rawValue
                    missing.name = nil
                    missing.topicId = topic.topicId
                    response.topics.append(missing)
                }
            }
            byName = names
        }
        let results = await lookup(byName, request: request, response: &response, context: context)
        for (name, result) in results {
            var topic = MetadataResponse.Topic()
            topic.name = name
            switch result {
            case .success(let record):
                topic.topicId = record.id
                topic.isInternal = OffsetsTopic.isInternal(record.name)
                if let view {
                    var partitions: [MetadataResponse.Partition] = []
                    for index in 0..<record.partitionCount {
                        let state = await view.state(TopicPartition(name, index))
                        partitions.append(partition(index: index, replicas: record.replicas(of: index, localBroker: context.server.nodeId),
                                                    state: state, live: live))
                    }
                    topic.partitions = partitions
                } else {
                    topic.partitions = (0..<record.partitionCount).map { partition(index: $0, node: context.server.nodeId) }
                }
                if request.includeTopicAuthorizedOperations { topic.topicAuthorizedOperations = Self.topicOperations }
            case .failure(let error):
                topic.errorCode = error.kafkaErrorCode.rawValue
                context.logger.debug("metadata for '\(name)': \(error)")
            }
            response.topics.append(topic)
        }
        return response
    }

    /// The topics looked up, as the principal may see them (Kafka's rules): every topic
    /// lists only those it may Describe; a named topic without Describe is answered
    /// TOPIC_AUTHORIZATION_FAILED whether it exists or not, so nothing leaks; auto-creation
    /// needs Create on the cluster or the topic.
    private func lookup(_ names: [String]?, request: MetadataRequest, response: inout MetadataResponse,
                        context: RequestContext) async -> [(String, Result<TopicRecord, BrokerError>)] {
        guard let names else {
            let all = await context.topics.lookupTopics(nil, allowAutoCreate: false)
            let visible = await context.authorized(.describe, .topic, all.map(\.0))
            return all.filter { visible.contains($0.0) }
        }
        let describable = await context.authorized(.describe, .topic, names)
        for name in names where !describable.contains(name) {
            var topic = MetadataResponse.Topic()
            topic.name = name
            topic.errorCode = KafkaErrorCode.topicAuthorizationFailed.rawValue
            response.topics.append(topic)
        }
        let allowed = names.filter(describable.contains)
        guard request.allowAutoTopicCreation, !allowed.isEmpty else {
            return await context.topics.lookupTopics(allowed, allowAutoCreate: false)
        }
        let creatable = await context.authorize(.cluster(.create))
            ? Set(allowed) : await context.authorized(.create, .topic, allowed)
        var results = await context.topics.lookupTopics(allowed.filter(creatable.contains), allowAutoCreate: true)
        for (name, result) in await context.topics.lookupTopics(allowed.filter { !creatable.contains($0) }, allowAutoCreate: false) {
            if case .failure(let error) = result, error.kafkaErrorCode == .unknownTopicOrPartition, context.settings.broker.autoCreateTopics {
                var topic = MetadataResponse.Topic()
                topic.name = name
                topic.errorCode = KafkaErrorCode.topicAuthorizationFailed.rawValue
                response.topics.append(topic)
            } else {
                results.append((name, result))
            }
        }
        return results
    }

    private func partition(index: Int32, replicas: [Int32], state: PartitionState?, live: Set<Int32>) -> MetadataResponse.Partition {
        var partition = MetadataResponse.Partition()
        partition.partitionIndex = index
        partition.replicaNodes = replicas
        partition.offlineReplicas = replicas.filter { !live.contains($0) }
        guard let state, state.leader != PartitionState.noLeader, live.contains(state.leader) else {
            partition.errorCode = KafkaErrorCode.leaderNotAvailable.rawValue
            partition.leaderId = -1
            partition.leaderEpoch = state?.leaderEpoch ?? -1
            partition.isrNodes = state?.isr ?? []
            return partition
        }
        partition.leaderId = state.leader
        partition.leaderEpoch = state.leaderEpoch
        partition.isrNodes = state.isr
        return partition
    }

    private func partition(index: Int32, node: Int32) -> MetadataResponse.Partition {
        var partition = MetadataResponse.Partition()
        partition.partitionIndex = index
        partition.leaderId = node
        partition.leaderEpoch = 0
        partition.replicaNodes = [node]
        partition.isrNodes = [node]
        return partition
    }
}
