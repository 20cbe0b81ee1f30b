/// Which leader epoch wrote which offsets of one partition's log: the start offset of
/// every epoch, in increasing order (epochs never decrease along a log). Followers use it
/// to find where their log diverges from a new leader's (Kafka's leader-epoch cache).
///
/// Not persisted: `rebuild(from:)` finds each epoch's start with a binary search over
/// batch headers when a partition opens in cluster mode.
struct LeaderEpochCache: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var epoch: Int32
        var startOffset: Int64
    }

    private(set) var entries: [Entry] = []

    /// Kafka's "undefined" answer to an epoch lookup.
    static let undefined = (epoch: Int32(-1), endOffset: Int64(-1))

    var latestEpoch: Int32? { entries.last?.epoch }

    /// Records that `epoch` starts at `startOffset`; ignores epochs not above the latest.
    mutating func assign(epoch: Int32, startOffset: Int64) {
        guard epoch >= 0 else { return }
        if let last = entries.last {
            guard epoch > last.epoch else { return }
            if startOffset < last.startOffset { return }
            if startOffset == last.startOffset { entries.removeLast() }
        }
        entries.append(Entry(epoch: epoch, startOffset: startOffset))
    }

    /// Forgets epochs that start at or after `offset` (the log was truncated there).
    mutating func truncate(fromEnd offset: Int64) {
        entries.removeAll { $0.startOffset >= offset }
    }

    /// The largest epoch at or below `requested` and the offset where it ended (the start
    /// of the next epoch, or `logEndOffset` for the latest), as OffsetForLeaderEpoch
    /// answers it. A request below the first epoch gets the first epoch's start offset;
    /// one above the latest, or an empty cache, gets `undefined`.
    func endOffset(for requested: Int32, logEndOffset: Int64) -> (epoch: Int32, endOffset: Int64) {
        guard requested >= 0, let latest = entries.last else { return Self.undefined }
        if requested == latest.epoch { return (latest.epoch, logEndOffset) }
        guard let higher = entries.firstIndex(where: { $0.epoch > requested }) else { return Self.undefined }
        if higher == 0 { return (requested, entries[0].startOffset) }
        return (entries[higher - 1].epoch, entries[higher].startOffset)
    }

    /// The epochs of a log, read from its batch headers: one batch read at the log start,
    /// then per epoch a binary search for the first batch of a higher epoch
    /// (O(epochs × log(records)) single-batch reads).
    static func rebuild(from log: any PartitionLog, logStartOffset: Int64, logEndOffset: Int64) async throws -> LeaderEpochCache {
        var cache = LeaderEpochCache()
        var offset = logStartOffset
        while offset < logEndOffset {
            guard let batch = try await header(of: log, at: offset) else { break }
            let epoch = batch.epoch
            cache.assign(epoch: epoch, startOffset: batch.baseOffset)
            var low = batch.lastOffset + 1, high = logEndOffset
            while low < high {
                let mid = low + (high - low) / 2
                guard let probe = try await header(of: log, at: mid) else { high = mid; break }
                if probe.epoch > epoch { high = probe.baseOffset } else { low = probe.lastOffset + 1 }
            }
            offset = max(low, batch.lastOffset + 1)
        }
        return cache
    }

    private static func header(of log: any PartitionLog, at offset: Int64) async throws
        -> (baseOffset: Int64, lastOffset: Int64, epoch: Int32)? {
        let read = try await log.read(from: offset, maxBytes: 1, maxOffset: nil, minOneBatch: true)
        guard let batch = try RecordBatch.parse(read.payload.load(), verifyCRC: false).first else { return nil }
        return (batch.baseOffset, batch.lastOffset, batch.partitionLeaderEpoch)
    }
}
