/// A partition moving from its `original` replicas to `target` (Kafka's partition
/// reassignment, KIP-455). While it runs the partition's stored replicas are
/// `replicas`: the target first (its first broker becomes the preferred leader), then the
/// original replicas that are leaving. The controller finishes it once every target
/// replica is in sync: leadership moves into the target, the leaving replicas drop out of
/// the ISR and the assignment, and they delete their data.
///
/// Kept durably by the `ClusterCoordinator` (ZooKeeper: `/admin/reassign_partitions`), so
/// a new controller carries on where the last one stopped.
public struct PartitionReassignment: Sendable, Equatable, Hashable, Codable {
    /// The replicas the partition ends with, preferred leader first.
    public var target: [Int32]
    /// The replicas it had when the reassignment began (where a cancel returns it to).
    public var original: [Int32]

    public init(target: [Int32], original: [Int32]) {
        self.target = target
        self.original = original
    }

    /// The partition's assignment while the reassignment runs: target, then leaving replicas.
    public var replicas: [Int32] { target + removing }
    /// Replicas being added (in the target, not in the original).
    public var adding: [Int32] { target.filter { !original.contains($0) } }
    /// Replicas being removed (in the original, not in the target).
    public var removing: [Int32] { original.filter { !target.contains($0) } }
}

/// Reassignment requests and their progress, as the Kafka plugin (AlterPartitionReassignments,
/// ListPartitionReassignments, ElectLeaders) and the CLI use them. The controller broker
/// answers them; others refuse with `ClusterOperationError.notController`.
public protocol ClusterOperations: Sendable {
    /// Starts, replaces or (with nil) cancels the reassignment of each partition. Every
    /// partition gets its own outcome: nil on success, else why it was refused.
    func alterReassignments(_ changes: [TopicPartition: [Int32]?]) async throws -> [TopicPartition: ClusterOperationError?]
    /// Reassignments in progress, by partition.
    func reassignments() async throws -> [TopicPartition: PartitionReassignment]
    /// Elects leaders of `partitions` (nil: every partition). Every partition named gets its
    /// own outcome, nil when a leader was elected; with nil `partitions` only partitions that
    /// needed an election are listed.
    func electLeaders(_ type: ElectionType, partitions: [TopicPartition]?) async throws -> [TopicPartition: ClusterOperationError?]
}

/// Why a cluster operation was refused; each message says what to do instead.
public enum ClusterOperationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// This broker is not the controller; the client asks the controller named in Metadata.
    case notController(current: Int32?)
    /// Not a cluster (single node): there is nothing to reassign.
    case notClustered
    case unknownTopicOrPartition(TopicPartition)
    case invalidReplicaAssignment(TopicPartition, String)
    /// A cancel named a partition that is not being reassigned.
    case noReassignmentInProgress(TopicPartition)
    /// The coordination service failed; retry.
    case unavailable(String)
    /// The partition already has the leader the election would give it.
    case electionNotNeeded(TopicPartition)
    /// A preferred election: the preferred replica is not live or not in sync.
    case preferredLeaderNotAvailable(TopicPartition, preferred: Int32)
    /// An unclean election: no replica of the partition is live.
    case eligibleLeadersNotAvailable(TopicPartition)

    public var description: String {
        switch self {
        case .notController(let current):
            "this broker is not the controller\(current.map { " (broker \($0) is)" } ?? ""); send cluster operations to the controller"
        case .notClustered: "this broker runs alone (no cluster); partitions cannot be reassigned"
        case .unknownTopicOrPartition(let tp): "partition \(tp) does not exist"
        case .invalidReplicaAssignment(let tp, let why): "invalid replicas for \(tp): \(why)"
        case .noReassignmentInProgress(let tp): "partition \(tp) is not being reassigned; nothing to cancel"
        case .unavailable(let why): "the coordination service failed: \(why); retry"
        case .electionNotNeeded(let tp): "partition \(tp) already has the leader the election would choose"
        case .preferredLeaderNotAvailable(let tp, let preferred):
            "the preferred replica of \(tp) (broker \(preferred)) is not live or not in sync; wait until it has caught up"
        case .eligibleLeadersNotAvailable(let tp):
            "no replica of \(tp) is live; start one of its brokers"
        }
    }
}
