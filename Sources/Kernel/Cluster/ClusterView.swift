/// What this broker knows of the cluster, for answering clients: the live brokers, the
/// controller and the state of every partition. `ClusterNode` keeps it current from the
/// coordinator's events; protocol plugins read it (Metadata, FindCoordinator).
public actor ClusterView {
    public nonisolated let localBroker: Int32
    public private(set) var brokers: [BrokerEndpoint] = []
    public private(set) var controller: ControllerInfo?
    private var states: [String: [Int32: PartitionState]] = [:]

    public init(localBroker: Int32) {
        self.localBroker = localBroker
    }

    /// The stored state of a partition, nil while unknown (being created, or offline store).
    public func state(_ tp: TopicPartition) -> PartitionState? { states[tp.topic]?[tp.partition] }

    public func broker(_ id: Int32) -> BrokerEndpoint? { brokers.first { $0.id == id } }

    /// The broker coordinating a consumer group. As in Kafka, the live leader of the
    /// group's `__consumer_offsets` partition (abs(javaHashCode(group)) % partitions), so
    /// the coordinator writes the group's records to a partition it leads. Before that
    /// topic exists (it is created on the first group write), or while the partition has
    /// no live leader, a stable hash of the group id over the live brokers sorted by id.
    /// Offsets live in the coordination service, so when the coordinator changes the new
    /// one reads them from there.
    public func groupCoordinator(for group: String) -> BrokerEndpoint? {
        guard !brokers.isEmpty else { return nil }
        if let offsets = states[OffsetsTopic.name], !offsets.isEmpty, offsets.keys.max() == Int32(offsets.count - 1) {
            let index = OffsetsTopic.partition(for: group, partitions: Int32(offsets.count))
            if let leader = offsets[index]?.leader, let endpoint = broker(leader) { return endpoint }
        }
        var hash: UInt32 = 2_166_136_261   // FNV-1a: stable across processes, unlike hashValue
        for byte in group.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return brokers[Int(hash % UInt32(brokers.count))]
    }

    /// The coordinator epoch for `transactionalId`'s markers, as Kafka takes it from the
    /// transaction-state partition: the leader epoch of the id's `__consumer_offsets`
    /// partition (whose leader coordinates it), so a broker taking coordination over after
    /// a failure writes markers with a higher epoch than the one it replaced. 0 while that
    /// topic does not exist (coordinators are then placed by hash over the live brokers).
    public func coordinatorEpoch(for transactionalId: String) -> Int32 {
        guard let offsets = states[OffsetsTopic.name], !offsets.isEmpty, offsets.keys.max() == Int32(offsets.count - 1) else { return 0 }
        return offsets[OffsetsTopic.partition(for: transactionalId, partitions: Int32(offsets.count))]?.leaderEpoch ?? 0
    }

    /// What decides which keys this broker coordinates: the `__consumer_offsets` partitions
    /// it leads with their leader epochs, and the live brokers (the fallback placement).
    /// A coordinator loads the state of the keys it gained when this changes.
    public func coordinationSignature() -> [Int32] {
        var signature = brokers.map(\.id).sorted()
        signature.append(-1)
        for (index, state) in (states[OffsetsTopic.name] ?? [:]).sorted(by: { $0.key < $1.key }) where state.leader == localBroker {
            signature += [index, state.leaderEpoch]
        }
        return signature
    }

    func update(brokers: [BrokerEndpoint]) { self.brokers = brokers }
    func update(controller: ControllerInfo?) { self.controller = controller }
    func update(topic: String, states: [Int32: PartitionState]) { self.states[topic] = states }
    func update(_ tp: TopicPartition, state: PartitionState?) { states[tp.topic, default: [:]][tp.partition] = state }
    func retain(topics: Set<String>) { states = states.filter { topics.contains($0.key) } }
}
