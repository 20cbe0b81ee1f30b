import KafkaWire

/// One partition's outcome of an ElectLeaders request.
public struct ElectionOutcome: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// 0 when a leader was elected, else Kafka's error (e.g. 84 ELECTION_NOT_NEEDED).
    public var errorCode: Int16
    public var errorMessage: String?
}

extension KafkaClient {
    /// Asks the controller to elect leaders: `unclean` false elects preferred replicas,
    /// true elects (for leaderless partitions) the first live replica even out of sync.
    /// `partitions` nil means every partition (then only those that needed an election
    /// come back). Throws a top-level refusal (e.g. NOT_CONTROLLER); per-partition
    /// outcomes are returned, sorted by topic and partition.
    public func electLeaders(unclean: Bool, partitions: [(topic: String, partition: Int32)]?) async throws -> [ElectionOutcome] {
        var request = ElectLeadersRequest()
        request.electionType = unclean ? 1 : 0
        request.timeoutMs = 30_000
        request.topicPartitions = partitions.map { list in
            Dictionary(grouping: list, by: \.topic).sorted { $0.key < $1.key }.map { .init(topic: $0.key, partitions: $0.value.map(\.partition)) }
        }
        let response = try await send(request)
        try Self.check(response.errorCode, nil, "elect leaders")
        return response.replicaElectionResults.flatMap { topic in
            topic.partitionResult.map {
                ElectionOutcome(topic: topic.topic, partition: $0.partitionId, errorCode: $0.errorCode, errorMessage: $0.errorMessage)
            }
        }.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }
}
