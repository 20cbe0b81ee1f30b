/// Settings of the replication data path (cluster mode). Single-node mode never reads them.
public struct ReplicationConfig: Sendable, Equatable {
    /// This broker's id (`broker.id`).
    public var brokerId: Int32
    /// Replicas that must be in sync for an acks=all produce when the topic sets no
    /// `min.insync.replicas`. Default 1.
    public var minInsyncReplicas: Int
    /// A follower that has not caught up with the leader's log end for this long, in
    /// milliseconds, leaves the ISR. Default 30000 (Kafka's `replica.lag.time.max.ms`).
    public var replicaLagTimeMs: Int64
    /// How long a follower's fetch waits at the leader for new records, in milliseconds.
    /// Default 500 (Kafka's `replica.fetch.wait.max.ms`).
    public var fetchMaxWaitMs: Int64
    /// Bytes at most per follower fetch response. Default 10 MiB.
    public var fetchMaxBytes: Int
    /// Pause after a failed fetch or leader lookup, in milliseconds. Default 200.
    public var retryBackoffMs: Int64
    /// How often every local replica's state is re-read even without an event, in
    /// milliseconds: a coordinator's event stream may miss changes made while it was
    /// (re)subscribing. Default 5000.
    public var resyncIntervalMs: Int64
    /// Where the high-watermark checkpoint (`HighWatermarkCheckpoint`) lives; nil keeps
    /// none, and a restarted broker's high watermarks start at the log start. `sluice
    /// serve` puts it in the data directory. Default nil.
    public var highWatermarkCheckpointPath: String?
    /// How often the checkpoint is written, in milliseconds (Kafka's
    /// `replica.high.watermark.checkpoint.interval.ms`). Default 5000.
    public var highWatermarkCheckpointIntervalMs: Int64
    /// The longest a controlled shutdown waits for the controller to move this broker's
    /// leaderships away, in milliseconds, before stopping anyway. Default 30000.
    public var controlledShutdownTimeoutMs: Int64

    public init(brokerId: Int32, minInsyncReplicas: Int = 1, replicaLagTimeMs: Int64 = 30_000,
                fetchMaxWaitMs: Int64 = 500, fetchMaxBytes: Int = 10 << 20, retryBackoffMs: Int64 = 200,
                resyncIntervalMs: Int64 = 5_000, highWatermarkCheckpointPath: String? = nil,
                highWatermarkCheckpointIntervalMs: Int64 = 5_000, controlledShutdownTimeoutMs: Int64 = 30_000) {
        self.brokerId = brokerId
        self.minInsyncReplicas = minInsyncReplicas
        self.replicaLagTimeMs = replicaLagTimeMs
        self.fetchMaxWaitMs = fetchMaxWaitMs
        self.fetchMaxBytes = fetchMaxBytes
        self.retryBackoffMs = retryBackoffMs
        self.resyncIntervalMs = resyncIntervalMs
        self.highWatermarkCheckpointPath = highWatermarkCheckpointPath
        self.highWatermarkCheckpointIntervalMs = highWatermarkCheckpointIntervalMs
        self.controlledShutdownTimeoutMs = controlledShutdownTimeoutMs
    }

    /// The settings `plugins.json`'s broker section gives (`id`, `minInsyncReplicas`,
    /// `replicaLagTimeMs`), the rest at their defaults.
    public init(broker: BrokerConfig) {
        self.init(brokerId: broker.id, minInsyncReplicas: Int(broker.minInsyncReplicas), replicaLagTimeMs: broker.replicaLagTimeMs)
    }

    /// How often the leader looks for followers to drop from or add to the ISR: a quarter
    /// of `replicaLagTimeMs`, between 50 ms and 5 s.
    var isrCheckInterval: Duration { .milliseconds(min(5_000, max(50, replicaLagTimeMs / 4))) }
}
