/// What a znode's `Stat` tells the store.
public struct ZNodeStat: Sendable, Equatable {
    /// Data version; conditional writes name it.
    public var version: Int32
    /// The session that owns an ephemeral znode; 0 for a persistent one.
    public var ephemeralOwner: Int64
    /// How many children the znode has.
    public var childCount: Int32
}

/// A znode's data with its stat.
public struct ZNodeData: Sendable, Equatable {
    /// The znode's data, as written.
    public var bytes: [UInt8]
    /// Its stat when read.
    public var stat: ZNodeStat
}
