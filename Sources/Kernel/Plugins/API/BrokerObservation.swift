/// Read-only views of the broker for observability (the HTTP admin API, console and
/// scrape-time gauges; the Kafka plugin's Metadata answers): topics, partition offsets
/// and sizes, group lag, replication state and the cluster view. Nothing here changes
/// the broker.
///
/// `Broker` implements it; the partition lookups are broker actor calls, the offsets
/// are read from the partition actors without holding the broker.
public protocol BrokerObservation: Sendable {
    /// All topics, sorted by name.
    func topics() async -> [TopicRecord]
    /// One topic, or nil when it does not exist.
    func topic(named name: String) async -> TopicRecord?
    /// Offsets (and size when storage can say it) of a partition this broker holds; nil
    /// when it holds none.
    func partitionSnapshot(_ tp: TopicPartition) async -> PartitionSnapshot?
    /// Per partition of a group's committed offsets: committed, log end and lag.
    func groupLag(_ groupId: String) async throws -> [GroupPartitionLag]
    /// The replication role, leader, epoch and ISR of a partition (nil when unknown).
    func replicaInfo(_ tp: TopicPartition) async -> PartitionReplicaInfo?
    /// A connector's stored positions (its own keys and values); empty when none.
    func connectorPositions(connector: String) async throws -> [String: String]
    /// The cluster as this broker knows it; nil on a single node.
    var clusterView: ClusterView? { get }
    /// Where this broker's partitions are stored (Kafka's DescribeLogDirs): one entry per
    /// storage directory, or one named `memory` for storage without files.
    func logDirectories() async -> [LogDirectoryInfo]
}

/// One partition's offsets as observed at one moment.
public struct PartitionSnapshot: Sendable, Equatable {
    /// The first offset still stored.
    public var logStartOffset: Int64
    /// The offset up to which consumers may read (equal to the log end on one node).
    public var highWatermark: Int64
    /// The offset the next record will get.
    public var logEndOffset: Int64
    /// Bytes stored (batch bytes, not index overhead); nil when storage could not say.
    public var sizeBytes: Int64?

    public init(logStartOffset: Int64, highWatermark: Int64, logEndOffset: Int64, sizeBytes: Int64?) {
        self.logStartOffset = logStartOffset
        self.highWatermark = highWatermark
        self.logEndOffset = logEndOffset
        self.sizeBytes = sizeBytes
    }
}
