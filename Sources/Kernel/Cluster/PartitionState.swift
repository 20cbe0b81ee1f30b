/// Who leads one partition and which replicas are in sync, as stored in the coordination
/// service. Only the controller changes the leader; the leader changes the ISR. Every
/// change is a conditional write on `VersionedPartitionState.version`.
public struct PartitionState: Sendable, Equatable, Codable {
    /// Broker id of the leader; `noLeader` (-1) when no in-sync replica is alive.
    public var leader: Int32
    /// Bumped on every leader change; followers truncate by it and stale leaders are fenced.
    public var leaderEpoch: Int32
    /// In-sync replicas, the leader included, in assignment order.
    public var isr: [Int32]
    /// Epoch of the controller that made the last leader change.
    public var controllerEpoch: Int32

    public static let noLeader: Int32 = -1

    public init(leader: Int32, leaderEpoch: Int32, isr: [Int32], controllerEpoch: Int32) {
        self.leader = leader
        self.leaderEpoch = leaderEpoch
        self.isr = isr
        self.controllerEpoch = controllerEpoch
    }
}

/// A partition state with the version a conditional update must name.
public struct VersionedPartitionState: Sendable, Equatable {
    public var state: PartitionState
    /// The coordination service's version of the stored state (ZooKeeper's znode version).
    public var version: Int32

    public init(state: PartitionState, version: Int32) {
        self.state = state
        self.version = version
    }
}

/// The controller as elected: its broker id and its epoch (one higher per election).
public struct ControllerInfo: Sendable, Equatable {
    public var brokerId: Int32
    public var epoch: Int32

    public init(brokerId: Int32, epoch: Int32) {
        self.brokerId = brokerId
        self.epoch = epoch
    }
}
