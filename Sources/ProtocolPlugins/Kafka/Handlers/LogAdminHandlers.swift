import KafkaWire
import SluiceKernel

/// DeleteRecords 0–2: moves each partition's log start to the requested offset (-1: the
/// high watermark) on the leader; OFFSET_OUT_OF_RANGE past the high watermark,
/// NOT_LEADER_OR_FOLLOWER on a follower. The response carries each new low watermark.
struct DeleteRecordsHandler: KafkaApiHandler {
    func handle(_ request: DeleteRecordsRequest, context: RequestContext) async -> DeleteRecordsResponse? {
        var response = DeleteRecordsResponse()
        let deletable = await context.authorized(.delete, .topic, request.topics.map(\.name))
        for topic in request.topics {
            var result = DeleteRecordsResponse.Topic()
            result.name = topic.name
            for spec in topic.partitions {
                var partition = DeleteRecordsResponse.Partition()
                partition.partitionIndex = spec.partitionIndex
                guard deletable.contains(topic.name) else {
                    partition.lowWatermark = -1
                    partition.errorCode = KafkaErrorCode.topicAuthorizationFailed.rawValue
                    result.partitions.append(partition)
                    continue
                }
                do {
                    partition.lowWatermark = try await context.topics.deleteRecords(TopicPartition(topic.name, spec.partitionIndex),
                                                                                    before: spec.offset)
                } catch {
                    partition.lowWatermark = -1
                    partition.errorCode = error.kafkaErrorCode.rawValue
                    context.logger.debug("delete records of \(topic.name)-\(spec.partitionIndex): \(error)")
                }
                result.partitions.append(partition)
            }
            response.topics.append(result)
        }
        return response
    }
}

/// DescribeLogDirs 0–4: one log dir per storage directory (its absolute path) with the
/// size of each partition this broker holds there; offset lag 0 (no future logs), and
/// the file system's total and usable bytes in v4.
struct DescribeLogDirsHandler: KafkaApiHandler {
    func handle(_ request: DescribeLogDirsRequest, context: RequestContext) async -> DescribeLogDirsResponse? {
        let wanted: Set<TopicPartition>? = request.topics.map { topics in
            Set(topics.flatMap { topic in topic.partitions.map { TopicPartition(topic.topic, $0) } })
        }
        var response = DescribeLogDirsResponse()
        // Describe on the cluster (Kafka's rule); v0–2 have no error field and get no dirs.
        guard await context.authorize(.cluster(.describe)) else {
            response.errorCode = KafkaErrorCode.clusterAuthorizationFailed.rawValue
            return response
        }
        for directory in await context.observation.logDirectories() {
            var result = DescribeLogDirsResponse.Result()
            result.logDir = directory.path
            result.totalBytes = directory.totalBytes ?? -1
            result.usableBytes = directory.usableBytes ?? -1
            var byTopic: [(String, [DescribeLogDirsResponse.Partition])] = []
            for (tp, size) in directory.partitions where wanted?.contains(tp) ?? true {
                var partition = DescribeLogDirsResponse.Partition()
                partition.partitionIndex = tp.partition
                partition.partitionSize = size
                if byTopic.last?.0 == tp.topic {
                    byTopic[byTopic.count - 1].1.append(partition)
                } else {
                    byTopic.append((tp.topic, [partition]))
                }
            }
            result.topics = byTopic.map { name, partitions in
                var topic = DescribeLogDirsResponse.Topic()
                topic.name = name
                topic.partitions = partitions
                return topic
            }
            response.results.append(result)
        }
        return response
    }
}

/// DescribeCluster 0–1: cluster id, controller and live brokers as Metadata reports
/// them. This is a broker endpoint: asking it for controllers (endpoint type 2) gets
/// MISMATCHED_ENDPOINT_TYPE, an unknown type UNSUPPORTED_ENDPOINT_TYPE, as Kafka answers.
struct DescribeClusterHandler: KafkaApiHandler {
    static let brokerEndpoint: Int8 = 1
    static let controllerEndpoint: Int8 = 2

    func handle(_ request: DescribeClusterRequest, context: RequestContext) async -> DescribeClusterResponse? {
        var response = DescribeClusterResponse()
        response.clusterId = context.server.clusterId
        guard request.endpointType == Self.brokerEndpoint else {
            let controller = request.endpointType == Self.controllerEndpoint
            response.errorCode = (controller ? KafkaErrorCode.mismatchedEndpointType : .unsupportedEndpointType).rawValue
            response.errorMessage = controller
                ? "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER"
                : "Unsupported endpoint type \(request.endpointType)"
            return response
        }
        if let view = context.observation.clusterView {
            response.brokers = await view.brokers.map { endpoint in
                var broker = DescribeClusterResponse.Broker()
                broker.brokerId = endpoint.id
                broker.host = endpoint.host
                broker.port = endpoint.port
                broker.rack = endpoint.rack
                return broker
            }
            response.controllerId = await view.controller?.brokerId ?? -1
        } else {
            var broker = DescribeClusterResponse.Broker()
            broker.brokerId = context.server.nodeId
            broker.host = context.server.advertised.host
            broker.port = Int32(context.server.advertised.port)
            response.brokers = [broker]
            response.controllerId = context.server.nodeId
        }
        if request.includeClusterAuthorizedOperations {
            response.clusterAuthorizedOperations = MetadataHandler.clusterOperations
        }
        return response
    }
}
