/// What a partition's leader tracks in cluster mode.
struct LeaderState: Sendable {
    /// This broker's id.
    var localId: Int32
    var epoch: Int32
    /// In-sync replicas as last written to the coordinator (the leader included).
    var isr: [Int32]
    /// The assignment, preferred leader first.
    var replicas: [Int32]
    /// Version of the coordinator's partition state the ISR came from (for conditional writes).
    var stateVersion: Int32
    var controllerEpoch: Int32
    /// Log end offset when this broker became leader of `epoch`; a follower joins the ISR
    /// only once it has reached it.
    var epochStartOffset: Int64
    /// Progress of every other replica, from its fetches.
    var followers: [Int32: FollowerProgress]
}

/// A follower's progress as its leader sees it.
struct FollowerProgress: Sendable {
    /// The follower's log end offset (its last fetch offset); -1 until it fetches.
    var logEndOffset: Int64 = -1
    /// The last time it was caught up: a fetch at the leader's log end, or at the log end
    /// the leader had when it answered the follower's previous fetch (so a follower under
    /// constant load, always one response behind, stays in sync — Kafka's rule).
    var lastCaughtUp: ContinuousClock.Instant
    /// The leader's log end offset and the time at the follower's previous fetch.
    var previousFetchLeaderLogEnd: Int64 = -1
    var previousFetchTime: ContinuousClock.Instant?
}

/// What a follower knows about its leader.
struct FollowerState: Sendable, Equatable {
    /// The leader's broker id, or `PartitionState.noLeader`.
    var leader: Int32
    var epoch: Int32
}

/// A partition's replication role and state, for Metadata answers and admin views.
public struct PartitionReplicaInfo: Sendable, Equatable {
    public enum Role: Sendable, Equatable {
        /// Single-node mode: leader of itself, ISR = [self], no coordinator.
        case standalone
        case leader
        case follower
    }

    public var role: Role
    /// Broker id of the leader; -1 when unknown (standalone reports -1 too: the caller
    /// knows its own id).
    public var leader: Int32
    /// -1 when standalone or unknown.
    public var leaderEpoch: Int32
    /// In-sync replicas as the leader knows them; empty on followers and standalone.
    public var isr: [Int32]
    public var highWatermark: Int64
    public var logEndOffset: Int64
}

/// An ISR change the leader wants written to the coordinator.
struct IsrProposal: Sendable {
    var state: PartitionState
    var expectedVersion: Int32
    /// Replicas leaving and joining, for logs and metrics.
    var removed: [Int32]
    var added: [Int32]
}
