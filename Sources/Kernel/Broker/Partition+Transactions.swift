import Foundation

/// The partition's side of transactions (KIP-98, KIP-890 part 1): the last stable offset,
/// transaction markers, the verification that lets a transactional produce open a
/// transaction here, and the aborted-transaction index kept by storage.
extension Partition {
    /// The last stable offset: the first offset of the oldest transaction not yet complete
    /// here (open, or ended by a marker the followers have not replicated yet), and never
    /// above the high watermark. A read_committed consumer reads below it (exclusive).
    public var lastStableOffset: Int64 {
        var bound = highWatermark
        if let open = producers.firstOpenTransactionOffset { bound = min(bound, open) }
        for completion in unreplicatedCompletions where completion.markerOffset >= highWatermark {
            bound = min(bound, completion.firstOffset)
        }
        return bound
    }

    /// Bumps the change counter when the last stable offset moved: it depends on the high
    /// watermark (whose own changes bump), the producers' open transactions and the
    /// unreplicated completions, whose `didSet`s call this. A transaction ended, opened
    /// below the high watermark, or found open when the state is loaded after a restart:
    /// a read_committed fetch session's mark at the old LSO must stop holding.
    func noteStableOffset() {
        let stable = lastStableOffset
        guard stable != stableOffsetSeen else { return }
        stableOffsetSeen = stable
        changes.bump()
    }

    /// The last stable offset once the producers' state is loaded (it is read from the
    /// log's tail on first need, not at open): what a read_committed reader may see.
    func loadedLastStableOffset() async throws -> Int64 {
        if !producerStateLoaded {
            await beginAppend()
            defer { endAppend() }
            try await loadProducerStateIfNeeded()
        }
        return lastStableOffset
    }

    /// Every producer this partition knows (DescribeProducers).
    func describeProducers() async throws -> [ProducerState] {
        await beginAppend()
        defer { endAppend() }
        try await loadProducerStateIfNeeded()
        return producers.describe()
    }

    // MARK: Verification (KIP-890 part 1)

    /// For a transactional produce of `producerId`/`epoch`: nil when the producer already
    /// has a transaction open here (no verification needed); otherwise a guard to pass to
    /// `append` once the coordinator has said the transaction includes this partition. The
    /// guard is set before the coordinator is asked, and a marker for the producer clears
    /// it: an append after the transaction ended (a late produce) finds it gone.
    func beginVerification(producerId: Int64, epoch: Int16) async throws -> UInt64? {
        await beginAppend()
        defer { endAppend() }
        try await loadProducerStateIfNeeded()
        if let entry = producers.entry(producerId), entry.transactionFirstOffset != nil, entry.epoch == epoch { return nil }
        nextVerificationGuard += 1
        verificationGuards[producerId] = (epoch, nextVerificationGuard)
        return nextVerificationGuard
    }

    /// Whether `batch` continues its producer's transaction open here with the same epoch
    /// (what `beginVerification` lets through without asking the coordinator).
    func continuesOpenTransaction(_ batch: RecordBatch) -> Bool {
        guard let entry = producers.entry(batch.producerId) else { return false }
        return entry.transactionFirstOffset != nil && entry.epoch == batch.producerEpoch
    }

    /// Throws unless each batch that would open a transaction here holds a live guard for
    /// its producer and epoch (checked at the moment of append).
    func checkVerified(_ batch: RecordBatch, guard token: UInt64?) throws(BrokerError) {
        guard producers.opensTransaction(batch) else { return }
        guard let token, let held = verificationGuards[batch.producerId], held.token == token,
              held.epoch == batch.producerEpoch else {
            throw .invalidTxnState(topicPartition, "producer \(batch.producerId) (epoch \(batch.producerEpoch)) has no ongoing transaction "
                                   + "that includes \(topicPartition): add the partition to the transaction first (AddPartitionsToTxn), "
                                   + "or the transaction already ended")
        }
    }

    // MARK: Markers

    /// Writes `marker` as a control batch, ending the producer's open transaction here.
    /// Idempotent: with no transaction of the producer open here, nothing is written.
    /// Refuses a marker of an older producer epoch or an older coordinator epoch than the
    /// partition has seen. An abort is recorded in storage's aborted-transaction index.
    /// - Returns: the marker's offset, or nil when nothing was written.
    @discardableResult
    func writeMarker(_ marker: TransactionMarker, now: Int64) async throws(BrokerError) -> Int64? {
        await beginAppend()
        defer { endAppend() }
        do {
            try await loadProducerStateIfNeeded()
        } catch {
            throw .storage("\(error)")
        }
        let leaderEpoch = try clustered ? checkLeaderForAppend(minInsync: nil) : nil
        let pid = marker.producerId
        verificationGuards[pid] = nil
        guard let entry = producers.entry(pid) else { return nil }
        if marker.producerEpoch < entry.epoch {
            throw .invalidProducerEpoch(producerId: pid, current: entry.epoch, received: marker.producerEpoch)
        }
        if marker.coordinatorEpoch < entry.coordinatorEpoch {
            throw .transactionCoordinatorFenced(topicPartition, producerId: pid, current: entry.coordinatorEpoch,
                                                received: marker.coordinatorEpoch)
        }
        guard let firstOffset = entry.transactionFirstOffset else { return nil }
        var batch = ControlRecord.batch(for: marker, timestamp: now)
        if let leaderEpoch { batch.setPartitionLeaderEpoch(leaderEpoch) }
        let info: LogAppendInfo
        do {
            info = try await log.append([batch])
        } catch {
            throw .storage("\(error)")
        }
        if !marker.commit {
            // Before the transaction counts as ended: if the index write fails the
            // coordinator retries and the next marker records it.
            let entry = AbortedTransactionEntry(producerId: pid, firstOffset: firstOffset, lastOffset: info.firstOffset,
                                                lastStableOffset: info.logEndOffset)
            do {
                try await log.recordAbortedTransaction(entry)
            } catch {
                logEndOffset = info.logEndOffset
                throw .storage("the abort marker was written but not indexed: \(error)")
            }
        }
        let completion = producers.record(batch, firstOffset: info.firstOffset)
        metrics.recordAppend([batch])
        logEndOffset = info.logEndOffset
        logStartOffset = info.logStartOffset
        if let completion, clustered { unreplicatedCompletions.append(completion) }
        if clustered { leaderAppended() } else { advanceHighWatermark(to: info.logEndOffset) }
        changes.bump()
        await storeScanStartIfNeeded()
        return info.firstOffset
    }

    /// Moves storage's producer-state scan start up to the last stable offset once a
    /// transaction is open and none is stored, or once the LSO is a scan window past it:
    /// one small durable write per window of records at most, none for a partition that
    /// never saw a transaction. A failed write only leaves the older (lower) start.
    func storeScanStartIfNeeded() async {
        let stable = lastStableOffset
        if let stored = storedScanStart {
            guard stable - stored >= Self.producerStateScanRecords else { return }
        } else {
            guard producers.firstOpenTransactionOffset != nil else { return }
        }
        do {
            try await log.storeProducerStateScanStart(stable)
            storedScanStart = stable
        } catch {
            // Kept as it was: the next append tries again.
        }
    }

    /// After batches were appended (as leader or follower): records them in the producer
    /// state; an abort marker among them is recorded in the aborted-transaction index (a
    /// follower keeps the same index as its leader).
    func recordAppended(_ batches: [RecordBatch], firstOffsets: [Int64]) async throws {
        for (batch, offset) in zip(batches, firstOffsets) {
            guard let completion = producers.record(batch, firstOffset: offset) else { continue }
            verificationGuards[completion.producerId] = nil
            if clustered { unreplicatedCompletions.append(completion) }
            if !completion.commit {
                try await log.recordAbortedTransaction(AbortedTransactionEntry(
                    producerId: completion.producerId, firstOffset: completion.firstOffset, lastOffset: completion.markerOffset,
                    lastStableOffset: completion.markerOffset + 1))
            }
        }
    }

    /// Drops completions the high watermark has passed (they no longer hold the LSO back).
    func pruneReplicatedCompletions() {
        guard !unreplicatedCompletions.isEmpty else { return }
        unreplicatedCompletions.removeAll { $0.markerOffset < highWatermark }
    }

    /// The aborted transactions a read_committed fetch of [from, upTo) must list.
    func abortedTransactions(from offset: Int64, upTo end: Int64) async throws -> [AbortedTransaction] {
        guard end > offset else { return [] }
        return try await log.abortedTransactions(from: offset, upTo: end).map {
            AbortedTransaction(producerId: $0.producerId, firstOffset: $0.firstOffset)
        }
    }
}
