import KafkaWire

/// A reassignment in progress as ListPartitionReassignments reports it.
public struct OngoingReassignment: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// The replica set now (target, then replicas being removed).
    public var replicas: [Int32]
    public var adding: [Int32]
    public var removing: [Int32]
}

extension KafkaClient {
    /// Starts (replicas given) or cancels (nil) partition reassignments; send it to the
    /// controller. Throws the first partition's refusal, naming the partition.
    public func alterPartitionReassignments(_ changes: [(topic: String, partition: Int32, replicas: [Int32]?)]) async throws {
        var request = AlterPartitionReassignmentsRequest()
        request.timeoutMs = 30_000
        for (topic, entries) in Dictionary(grouping: changes, by: \.topic).sorted(by: { $0.key < $1.key }) {
            request.topics.append(.init(name: topic, partitions: entries.map { .init(partitionIndex: $0.partition, replicas: $0.replicas) }))
        }
        let response = try await send(request)
        try Self.check(response.errorCode, response.errorMessage, "reassign partitions")
        for topic in response.responses {
            for partition in topic.partitions {
                try Self.check(partition.errorCode, partition.errorMessage, "reassign \(topic.name)-\(partition.partitionIndex)")
            }
        }
    }

    /// Every reassignment in progress, sorted by topic and partition; send it to the controller.
    public func listPartitionReassignments() async throws -> [OngoingReassignment] {
        let response = try await send(ListPartitionReassignmentsRequest())
        try Self.check(response.errorCode, response.errorMessage, "list partition reassignments")
        return response.topics.flatMap { topic in
            topic.partitions.map {
                OngoingReassignment(topic: topic.name, partition: $0.partitionIndex, replicas: $0.replicas,
                                    adding: $0.addingReplicas, removing: $0.removingReplicas)
            }
        }.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }
}
