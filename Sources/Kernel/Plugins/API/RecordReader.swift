/// Reads records and offsets: the Kafka plugin's Fetch, ListOffsets and
/// OffsetForLeaderEpoch, sink connectors, and the HTTP record browser.
///
/// `Broker` implements it: `fetch` is a `LongPollFetch` (nonisolated, so the wait itself
/// never holds the broker), the rest are broker actor methods. Tests of a plugin may pass
/// a fake.
public protocol RecordReader: Sendable {
    /// Reads from several partitions, waiting up to `request.maxWait` for
    /// `request.minBytes`; the wait ends as soon as an append makes enough data readable.
    func fetch(_ request: FetchRequest) async -> [FetchPartitionResult]

    /// A counter that every change a consumer's fetch could see moves, on any partition
    /// (high watermark, log start, leadership, a partition going away). A reader that keeps
    /// `PartitionFetchMark`s (a fetch session) takes it before checking its marks, then
    /// waits with `waitForFetchChanges(after:until:)`: one wait for any number of partitions.
    var fetchChangeGeneration: UInt64 { get }

    /// Returns once `fetchChangeGeneration` has moved past `generation` (at once if it
    /// already has), at `deadline`, or when the task is cancelled. A change of any
    /// partition ends it; the caller checks its marks again.
    func waitForFetchChanges(after generation: UInt64, until deadline: ContinuousClock.Instant) async

    /// Resolves an offset query (ListOffsets): earliest, latest, a timestamp, or the
    /// record with the largest timestamp. `(-1, -1)` when no record matches.
    func listOffset(_ tp: TopicPartition, _ spec: OffsetSpec) async throws(BrokerError) -> (offset: Int64, timestamp: Int64)

    /// Throws unless this broker leads `tp` in `currentLeaderEpoch` (-1: any); returns
    /// the leader epoch (-1 on a single node). For consumer requests other than Fetch.
    func checkLeader(_ tp: TopicPartition, currentLeaderEpoch: Int32) async throws(BrokerError) -> Int32

    /// OffsetForLeaderEpoch: the largest epoch at or below `leaderEpoch` in the leader's
    /// log and the offset where it ended.
    func offsetForLeaderEpoch(_ tp: TopicPartition, currentLeaderEpoch: Int32,
                              leaderEpoch: Int32) async throws(BrokerError) -> (leaderEpoch: Int32, endOffset: Int64)

    /// Whole batches of one partition from the batch holding `offset`, up to `maxBytes`
    /// (at least one batch), for admin tools. Never waits; not counted as fetched.
    func browse(_ tp: TopicPartition, from offset: Int64, maxBytes: Int) async throws(BrokerError) -> LogReadResult

    /// The producers a partition holds state for (epochs, last sequences, open
    /// transactions), for DescribeProducers; callers check leadership first (`checkLeader`).
    func describeProducers(_ tp: TopicPartition) async throws(BrokerError) -> [ProducerState]
}
