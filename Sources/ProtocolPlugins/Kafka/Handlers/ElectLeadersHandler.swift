import KafkaWire
import SluiceKernel

/// ElectLeaders 0-2: preferred (version 0, or election type 0) or unclean (type 1) leader
/// elections through the controller (`ProtocolServices.cluster`). Each partition gets
/// Kafka's outcome: none, ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
/// ELIGIBLE_LEADERS_NOT_AVAILABLE or UNKNOWN_TOPIC_OR_PARTITION. A broker that is not the
/// controller answers NOT_CONTROLLER (at the top level from version 1, on every partition
/// named in version 0, which has no top-level error); a single node, INVALID_REQUEST.
/// Alter on the cluster is required (CLUSTER_AUTHORIZATION_FAILED), as in Kafka.
struct ElectLeadersHandler: KafkaApiHandler {
    func handle(_ request: ElectLeadersRequest, context: RequestContext) async -> ElectLeadersResponse? {
        var response = ElectLeadersResponse()
        guard let type = ElectionType(rawValue: request.electionType) else {   // version 0 decodes as 0, preferred
            response.errorCode = KafkaErrorCode.invalidRequest.rawValue
            response.replicaElectionResults = Self.everyPartition(request, KafkaErrorCode.invalidRequest,
                                                                  "election type \(request.electionType) is unknown: 0 is preferred, 1 unclean")
            return response
        }
        guard await context.authorize(.cluster(.alter)) else {
            response.errorCode = KafkaErrorCode.clusterAuthorizationFailed.rawValue
            response.replicaElectionResults = Self.everyPartition(request, KafkaErrorCode.clusterAuthorizationFailed,
                                                                  "electing leaders needs Alter on the cluster")
            return response
        }
        let named: [TopicPartition]? = request.topicPartitions.map { topics in
            topics.flatMap { topic in topic.partitions.map { TopicPartition(topic.topic, $0) } }
        }
        let outcomes: [TopicPartition: ClusterOperationError?]
        do {
            guard let cluster = context.services.cluster else { throw ClusterOperationError.notClustered }
            outcomes = try await cluster.electLeaders(type, partitions: named)
        } catch {
            let failure = error as? ClusterOperationError ?? .unavailable("\(error)")
            response.errorCode = failure.kafkaErrorCode.rawValue
            response.replicaElectionResults = Self.everyPartition(request, failure.kafkaErrorCode, failure.description)
            return response
        }
        for (topic, entries) in Dictionary(grouping: outcomes, by: { $0.key.topic }).sorted(by: { $0.key < $1.key }) {
            var result = ElectLeadersResponse.ReplicaElectionResult()
            result.topic = topic
            result.partitionResult = entries.sorted { $0.key < $1.key }.map { tp, outcome in
                var partition = ElectLeadersResponse.PartitionResult()
                partition.partitionId = tp.partition
                if let failure = outcome {
                    partition.errorCode = failure.kafkaErrorCode.rawValue
                    partition.errorMessage = failure.description
                }
                return partition
            }
            response.replicaElectionResults.append(result)
        }
        return response
    }

    /// The same error on every partition the request names (none when it names all).
    private static func everyPartition(_ request: ElectLeadersRequest, _ code: KafkaErrorCode, _ message: String)
        -> [ElectLeadersResponse.ReplicaElectionResult] {
        (request.topicPartitions ?? []).map { topic in
            var result = ElectLeadersResponse.ReplicaElectionResult()
            result.topic = topic.topic
            result.partitionResult = topic.partitions.map { index in
                var partition = ElectLeadersResponse.PartitionResult()
                partition.partitionId = index
                partition.errorCode = code.rawValue
                partition.errorMessage = message
                return partition
            }
            return result
        }
    }
}
