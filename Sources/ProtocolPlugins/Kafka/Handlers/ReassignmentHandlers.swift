import KafkaWire
import SluiceKernel

/// AlterPartitionReassignments 0: starts, replaces or cancels (null replicas) partition
/// reassignments through the controller (`ProtocolServices.cluster`). A broker that is not
/// the controller answers NOT_CONTROLLER at the top level, and the client asks the
/// controller Metadata names; a single node answers with the top-level INVALID_REQUEST.
struct AlterPartitionReassignmentsHandler: KafkaApiHandler {
    func handle(_ request: AlterPartitionReassignmentsRequest, context: RequestContext) async -> AlterPartitionReassignmentsResponse? {
        var response = AlterPartitionReassignmentsResponse()
        var changes: [TopicPartition: [Int32]?] = [:]
        for topic in request.topics {
            for partition in topic.partitions { changes[TopicPartition(topic.name, partition.partitionIndex)] = .some(partition.replicas) }
        }
        let outcomes: [TopicPartition: ClusterOperationError?]
        do {
            guard let cluster = context.services.cluster else { throw ClusterOperationError.notClustered }
            outcomes = try await cluster.alterReassignments(changes)
        } catch {
            let failure = error as? ClusterOperationError ?? .unavailable("\(error)")
            response.errorCode = failure.kafkaErrorCode.rawValue
            response.errorMessage = failure.description
            return response
        }
        for topic in request.topics {
            var result = AlterPartitionReassignmentsResponse.Topic()
            result.name = topic.name
            for spec in topic.partitions {
                var partition = AlterPartitionReassignmentsResponse.Partition()
                partition.partitionIndex = spec.partitionIndex
                if case .some(.some(let failure)) = outcomes[TopicPartition(topic.name, spec.partitionIndex)] {
                    partition.errorCode = failure.kafkaErrorCode.rawValue
                    partition.errorMessage = failure.description
                }
                result.partitions.append(partition)
            }
            response.responses.append(result)
        }
        return response
    }
}

/// ListPartitionReassignments 0: the reassignments in progress (all, or those of the
/// partitions named), each with its replica set and who is being added and removed.
struct ListPartitionReassignmentsHandler: KafkaApiHandler {
    func handle(_ request: ListPartitionReassignmentsRequest, context: RequestContext) async -> ListPartitionReassignmentsResponse? {
        var response = ListPartitionReassignmentsResponse()
        let running: [TopicPartition: PartitionReassignment]
        do {
            guard let cluster = context.services.cluster else { throw ClusterOperationError.notClustered }
            running = try await cluster.reassignments()
        } catch {
            let failure = error as? ClusterOperationError ?? .unavailable("\(error)")
            response.errorCode = failure.kafkaErrorCode.rawValue
            response.errorMessage = failure.description
            return response
        }
        let wanted: Set<TopicPartition>? = request.topics.map { topics in
            Set(topics.flatMap { topic in topic.partitionIndexes.map { TopicPartition(topic.name, $0) } })
        }
        for (name, entries) in Dictionary(grouping: running.filter { wanted?.contains($0.key) ?? true }, by: { $0.key.topic })
            .sorted(by: { $0.key < $1.key }) {
            var topic = ListPartitionReassignmentsResponse.Topic()
            topic.name = name
            topic.partitions = entries.sorted { $0.key < $1.key }.map { tp, reassignment in
                var partition = ListPartitionReassignmentsResponse.Partition()
                partition.partitionIndex = tp.partition
                partition.replicas = reassignment.replicas
                partition.addingReplicas = reassignment.adding
                partition.removingReplicas = reassignment.removing
                return partition
            }
            response.topics.append(topic)
        }
        return response
    }
}

extension ClusterOperationError {
    /// The Kafka error code a client understands for this refusal.
    var kafkaErrorCode: KafkaErrorCode {
        switch self {
        case .notController: .notController
        case .notClustered: .invalidRequest
        case .unknownTopicOrPartition: .unknownTopicOrPartition
        case .invalidReplicaAssignment: .invalidReplicaAssignment
        case .noReassignmentInProgress: .noReassignmentInProgress
        case .unavailable: .unknownServerError
        case .electionNotNeeded: .electionNotNeeded
        case .preferredLeaderNotAvailable: .preferredLeaderNotAvailable
        case .eligibleLeadersNotAvailable: .eligibleLeadersNotAvailable
        }
    }
}
