/// Coordination between the brokers of a cluster: who is alive, who is the controller,
/// and the leader / ISR of every partition. A metadata plugin that runs a cluster (the
/// `zookeeper` plugin) provides this beside `MetadataStore`; the topic registry (with each
/// partition's replica assignment, `TopicRecord.replicas`) stays in `MetadataStore`.
///
/// One coordinator value belongs to one broker (it holds that broker's session): its
/// registration and controller claim disappear when the session ends — the process dies
/// or is cut off for longer than the session timeout.
///
/// The contract is written down as `ClusterCoordinatorConformance`; `InMemoryCluster` (in the
/// memory plugin, `SluiceMemory`) is the in-process implementation (tests and the example to copy).
public protocol ClusterCoordinator: Sendable {
    /// Registers this broker as alive until its session ends. Throws
    /// `CoordinationError.brokerIdTaken` when a live broker already has the id.
    func register(_ broker: BrokerEndpoint) async throws
    /// Brokers alive now, sorted by id.
    func liveBrokers() async throws -> [BrokerEndpoint]

    /// Becomes the controller if no live broker is; returns the controller after the attempt
    /// (this broker, with a new epoch one above the last, or the one already elected).
    func claimController(brokerId: Int32) async throws -> ControllerInfo
    /// The controller now, or nil while there is none.
    func controller() async throws -> ControllerInfo?

    /// The stored state of one partition, or nil when it has none (unknown or being created).
    func partitionState(_ partition: TopicPartition) async throws -> VersionedPartitionState?
    /// Every partition state of a topic, by partition index.
    func partitionStates(topic: String) async throws -> [Int32: VersionedPartitionState]
    /// Stores the first state of new partitions; throws `stateExists` for any that has one.
    func createPartitionStates(topic: String, _ states: [Int32: PartitionState]) async throws
    /// Replaces a partition's state if its stored version is still `expectedVersion`;
    /// returns the new version, or throws `versionConflict` (re-read and decide again).
    func updatePartitionState(_ partition: TopicPartition, _ state: PartitionState, expectedVersion: Int32) async throws -> Int32
    /// Removes the partition states of a deleted topic (no error when there are none).
    func deletePartitionStates(topic: String) async throws

    /// Reassignments in progress, by partition (empty when none).
    func reassignments() async throws -> [TopicPartition: PartitionReassignment]
    /// Changes the stored reassignments in one atomic write: stores every entry of `set`
    /// (replacing a partition's earlier one), and removes each entry of `remove` only while
    /// it still equals the value given (a newer reassignment of that partition stays).
    func updateReassignments(set: [TopicPartition: PartitionReassignment], remove: [TopicPartition: PartitionReassignment]) async throws

    /// Changes other brokers made (and session changes of this one). Each call returns a new
    /// stream; events may be coalesced, so a receiver re-reads what an event names. A new
    /// stream (and a stream after a reconnect) starts with `brokersChanged`,
    /// `controllerChanged` and `topicsChanged`, so nothing changed while subscribing is missed.
    func events() -> AsyncStream<ClusterEvent>
}

/// Something changed in the cluster; re-read it.
public enum ClusterEvent: Sendable, Equatable, Hashable {
    /// A broker registered or its session ended.
    case brokersChanged
    /// The controller went away or a new one was elected.
    case controllerChanged
    /// A topic was created or deleted, or its partition count or configs changed.
    case topicsChanged
    /// A partition's leader, epoch or ISR changed.
    case partitionStateChanged(TopicPartition)
    /// This broker's session expired: its registration and controller role are gone.
    /// The implementation reconnects and `register` must be called again.
    case sessionExpired
}

/// Why a coordination call failed.
public enum CoordinationError: Error, Sendable, Equatable, CustomStringConvertible {
    case brokerIdTaken(Int32)
    case stateExists(TopicPartition)
    case noState(TopicPartition)
    case versionConflict(TopicPartition, expected: Int32)
    /// The coordination service cannot be reached; the message names it and what to do.
    case unavailable(String)
    case closed

    public var description: String {
        switch self {
        case .brokerIdTaken(let id):
            "broker id \(id) is already registered by a live broker; give every node its own broker.id"
        case .stateExists(let tp): "partition \(tp) already has a state"
        case .noState(let tp): "partition \(tp) has no state"
        case .versionConflict(let tp, let expected):
            "the state of \(tp) changed since version \(expected) was read; re-read it"
        case .unavailable(let why): why
        case .closed: "the coordinator is closed"
        }
    }
}
