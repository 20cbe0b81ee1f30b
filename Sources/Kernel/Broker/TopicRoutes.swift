import Foundation

/// What the produce and fetch paths need of the broker's topics, as one immutable value:
/// each topic's record, parsed settings and local partition actors, and the cluster's
/// `min.insync.replicas` default. The `Broker` publishes a new one every time its topics
/// (or its replication config) change, so that a produce or a fetch finds its partition
/// without waiting for the broker actor, which may be busy creating a topic or syncing
/// the registry; produces to different partitions then meet only at their own
/// `Partition` actors.
struct TopicRoutes: Sendable {
    /// The broker's `topicStates` as they were when published (a copy-on-write value:
    /// publishing shares its storage, it does not copy it).
    var topics: [String: Broker.TopicState] = [:]
    /// The cluster default of `min.insync.replicas`; nil on a single node.
    var replicationMinInsync: Int?
    /// Whether the broker runs in cluster mode (replication enabled).
    var clustered = false

    /// The partition actor for `tp`, or nil when unknown or not held by this broker.
    func partition(_ tp: TopicPartition) -> Partition? {
        topics[tp.topic]?.partitions[tp.partition]
    }

    /// The `min.insync.replicas` of a topic: its setting, else the broker default (1).
    func minInsyncReplicas(_ settings: TopicSettings) -> Int {
        settings.minInsyncReplicas ?? replicationMinInsync ?? 1
    }

    /// The error for a partition this broker has no log of: not its leader when the topic
    /// has that partition (held by other brokers), else unknown.
    func missingPartitionError(_ tp: TopicPartition) -> BrokerError {
        if let record = topics[tp.topic]?.record, tp.partition >= 0, tp.partition < record.partitionCount {
            return .notLeaderOrFollower(tp, leader: nil)
        }
        return .unknownTopicOrPartition(tp.topic, tp.partition)
    }
}

/// The one place `TopicRoutes` is published: the broker writes it (inside the actor,
/// after each change), every produce and fetch reads it once.
///
/// A lock around a single value rather than an actor: reading it through an actor is the
/// hop this type exists to remove. The lock is held only to copy one reference in or
/// out, never while anything runs. It is Foundation's `NSLock` (a pthread mutex), not the
/// standard library's `Mutex`, whose futex calls ThreadSanitizer cannot see on Linux
/// (it would report every read of the snapshot as a race; see `GroupCommitter`).
final class PublishedTopicRoutes: @unchecked Sendable {
    private let lock = NSLock()
    private var value = TopicRoutes()

    /// The routes as last published.
    var current: TopicRoutes {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func publish(_ routes: TopicRoutes) {
        var previous = routes
        lock.lock()
        swap(&value, &previous)
        lock.unlock()
        // `previous` (the replaced routes) is released here, outside the lock.
    }
}
