import NIOCore

/// The follower's side of replication: following a leader, truncating a divergent tail,
/// appending the leader's batches as they are.
extension Partition {
    /// Follows `leader` in `epoch` (noLeader: waits for one). Leader duties stop: acks=all
    /// waiters fail with NOT_LEADER_OR_FOLLOWER. Returns true when leader or epoch changed,
    /// so the caller truncates before fetching again.
    func becomeFollower(leader: Int32, epoch: Int32) async -> Bool {
        await beginAppend()
        defer { endAppend() }
        let next = FollowerState(leader: leader, epoch: epoch)
        clustered = true
        guard leadership != nil || following != next else { return false }
        if leadership != nil {
            leadership = nil
            isrChangeListener = nil
            failAckWaiters(.notLeaderOrFollower(topicPartition, leader: leader))
            wakeLogEndWaiters(all: true)
        }
        following = next
        return true
    }

    /// The epoch to ask the leader about: the latest in this log, or nil for a log without
    /// epochs (it then truncates to its high watermark).
    func latestEpoch() -> Int32? { epochCache.latestEpoch }

    /// Truncates after the leader answered OffsetForLeaderEpoch for `requested`: to the
    /// leader's end offset of that epoch, or — when the leader knows only an older epoch —
    /// to the smaller of both logs' ends of that older epoch; to the high watermark when
    /// the answer is undefined. Returns the log end offset afterwards.
    @discardableResult
    func truncate(afterAsking requested: Int32?, answer: (epoch: Int32, endOffset: Int64)?) async throws -> Int64 {
        var target: Int64
        if let requested, let answer, answer.epoch >= 0, answer.endOffset >= 0 {
            target = min(answer.endOffset, logEndOffset)
            if answer.epoch < requested {
                target = min(target, epochCache.endOffset(for: answer.epoch, logEndOffset: logEndOffset).endOffset)
            }
        } else {
            target = highWatermark
        }
        try await truncate(to: target)
        return logEndOffset
    }

    /// Removes every batch at or after `offset` (rounded down to the batch holding it),
    /// then rebuilds the idempotent producers' state and the epoch cache's tail.
    func truncate(to offset: Int64) async throws {
        await beginAppend()
        defer { endAppend() }
        guard offset < logEndOffset else { return }
        var target = max(offset, logStartOffset)
        let read = try await log.read(from: target, maxBytes: 1, maxOffset: nil, minOneBatch: true)
        if let batch = try RecordBatch.parse(read.payload.load(), verifyCRC: false).first, batch.baseOffset < target {
            target = batch.baseOffset
        }
        try await log.truncate(to: target)
        logEndOffset = target
        highWatermark = min(highWatermark, target)
        epochCache.truncate(fromEnd: target)
        try await rebuildProducerState()
    }

    /// Empties the log and restarts it at `offset`, the leader's log start, when this
    /// follower's log ends below it (Kafka's truncateFullyAndStartAt): the leader deleted
    /// those records by retention or DeleteRecords while this broker was away. Log start,
    /// log end and high watermark become `offset`; the epoch cache and producer state start
    /// afresh from the batches fetched next.
    func truncateFully(startingAt offset: Int64) async throws {
        await beginAppend()
        defer { endAppend() }
        do { try await log.truncateFully(startingAt: offset) } catch let error as StorageError {
            throw BrokerError.storage(error.description)
        }
        logStartOffset = offset
        logEndOffset = offset
        highWatermark = offset
        epochCache = LeaderEpochCache()
        try await rebuildProducerState()
    }

    /// Appends batches fetched from the leader of `leaderEpoch` as they are: the first must
    /// start at this log's end. The high watermark becomes min(leader's, own log end).
    /// Returns the log end offset afterwards.
    /// - Parameter leaderLogStartOffset: the leader's log start; the follower's moves up
    ///   to it (bounded by its own high watermark) so DeleteRecords reaches every replica.
    func appendAsFollower(_ records: ByteBuffer, leaderEpoch: Int32, leaderHighWatermark: Int64,
                          leaderLogStartOffset: Int64 = -1) async throws -> Int64 {
        await beginAppend()
        defer { endAppend() }
        guard leadership == nil, let following, following.epoch == leaderEpoch else {
            throw BrokerError.notLeaderOrFollower(topicPartition, leader: following?.leader)
        }
        let batches = try RecordBatch.parse(records)
        if !batches.isEmpty {
            try await loadProducerStateIfNeeded()
            var expected = logEndOffset
            for batch in batches {
                guard batch.baseOffset == expected else {
                    throw ReplicationError.nonContiguousFetch(topicPartition, expected: expected, got: batch.baseOffset)
                }
                expected = batch.lastOffset + 1
            }
            let info: LogAppendInfo
            do { info = try await log.append(batches) } catch let error as StorageError {
                throw BrokerError.storage(error.description)
            }
            for batch in batches { epochCache.assign(epoch: batch.partitionLeaderEpoch, startOffset: batch.baseOffset) }
            do { try await recordAppended(batches, firstOffsets: batches.map(\.baseOffset)) } catch let error as StorageError {
                throw BrokerError.storage(error.description)
            }
            logEndOffset = info.logEndOffset
            logStartOffset = info.logStartOffset
            await storeScanStartIfNeeded()
        }
        advanceHighWatermark(to: min(leaderHighWatermark, logEndOffset))
        if leaderLogStartOffset > logStartOffset { await followLeaderLogStart(leaderLogStartOffset) }
        return logEndOffset
    }
}
