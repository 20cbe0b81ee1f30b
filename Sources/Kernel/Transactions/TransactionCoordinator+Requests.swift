import Foundation

/// The requests a transactional producer sends: InitProducerId, AddPartitionsToTxn,
/// AddOffsetsToTxn and EndTxn.
extension TransactionCoordinator {
    /// InitProducerId with a transactional id: a new producer id at epoch 0 for an unknown
    /// id, otherwise the next epoch, which fences every older producer with the same id.
    /// An open transaction of the old epoch is aborted first. `expected` (v3+, KIP-360) is
    /// the producer id and epoch the caller last had: a mismatch is fenced, a retry whose
    /// answer was lost gets the same answer again. The new epoch is stored before it is
    /// handed out.
    public func initProducerId(transactionalId: String, timeoutMs: Int32,
                               expected: TransactionalProducer?) async -> Result<TransactionalProducer, TransactionError> {
        guard timeoutMs > 0, timeoutMs <= config.maxTimeoutMs else {
            return .failure(.invalidTransactionTimeout(requested: timeoutMs, max: config.maxTimeoutMs))
        }
        guard !stopped else { return .failure(.coordinatorNotAvailable) }
        guard await coordinates(transactionalId) else { return .failure(.notCoordinator) }
        // At most twice: an open transaction is aborted first, then the epoch bumped.
        for _ in 0..<2 {
            let step: Result<TransactionalProducer, TransactionError>? = await exclusive(transactionalId) {
                do throws(TransactionError) {
                    return try await initStep(transactionalId, timeoutMs: timeoutMs, expected: expected)
                } catch {
                    return .some(.failure(error))
                }
            }
            if let step { return step }
            // The old transaction is aborting: wait for its markers, then bump.
            guard await completeOnce(transactionalId) else { return .failure(.concurrentTransactions) }
        }
        return .failure(.concurrentTransactions)
    }

    /// One pass of InitProducerId in the exclusive section: the answer, or nil when an open
    /// transaction was set aborting and must complete first.
    private func initStep(_ id: String, timeoutMs: Int32,
                          expected: TransactionalProducer?) async throws(TransactionError) -> Result<TransactionalProducer, TransactionError>? {
        let now = clock()
        guard var record = try await current(id) else {
            let fresh = TransactionStateRecord(transactionalId: id, producerId: try await allocateProducerId(), producerEpoch: 0,
                                               timeoutMs: timeoutMs, updatedAt: now)
            try await persist(fresh)
            logger.info("new transactional producer", metadata: ["transactionalId": "\(id)", "producerId": "\(fresh.producerId)"])
            return .success(TransactionalProducer(producerId: fresh.producerId, producerEpoch: 0))
        }
        if let expected {
            let isRetry = expected.producerId == record.producerId && expected.producerEpoch == record.lastProducerEpoch
                && !record.status.isCompleting && record.status != .ongoing
            if isRetry { return .success(TransactionalProducer(producerId: record.producerId, producerEpoch: record.producerEpoch)) }
            guard expected.producerId == record.producerId, expected.producerEpoch == record.producerEpoch else {
                return .failure(.producerFenced(current: record.producerEpoch))
            }
        }
        switch record.status {
        case .prepareCommit, .prepareAbort:
            return nil
        case .ongoing:
            try await prepareAbort(&record, fence: true, now: now, reason: "a new producer initialised transactional id \(id)")
            return nil
        case .empty, .completeCommit, .completeAbort:
            let next = try await bumped(record)
            record.producerId = next.producerId
            record.producerEpoch = next.epoch
            record.lastProducerEpoch = next.last
            record.status = .empty
            record.timeoutMs = timeoutMs
            record.partitions = []
            record.groups = []
            record.startedAt = nil
            record.updatedAt = now
            try await persist(record)
            return .success(TransactionalProducer(producerId: record.producerId, producerEpoch: record.producerEpoch))
        }
    }

    /// AddPartitionsToTxn: adds partitions to the producer's transaction (opening it), or
    /// with `verifyOnly` (v4+, KIP-890) only checks they are in it. One result per partition.
    public func addPartitions(transactionalId: String, producerId: Int64, producerEpoch: Int16, partitions: [TopicPartition],
                              verifyOnly: Bool = false) async -> [TopicPartition: TransactionError?] {
        let result = await add(transactionalId, producerId: producerId, producerEpoch: producerEpoch,
                               partitions: partitions, groups: [], verifyOnly: verifyOnly)
        switch result {
        case .failure(let error): return Dictionary(uniqueKeysWithValues: partitions.map { ($0, error) })
        case .success(let perPartition): return perPartition
        }
    }

    /// AddOffsetsToTxn: the transaction will commit offsets of `groupId` (TxnOffsetCommit).
    public func addOffsets(transactionalId: String, producerId: Int64, producerEpoch: Int16, groupId: String) async -> TransactionError? {
        switch await add(transactionalId, producerId: producerId, producerEpoch: producerEpoch, partitions: [], groups: [groupId], verifyOnly: false) {
        case .failure(let error): error
        case .success: nil
        }
    }

    private func add(_ id: String, producerId: Int64, producerEpoch: Int16, partitions: [TopicPartition], groups: [String],
                     verifyOnly: Bool) async -> Result<[TopicPartition: TransactionError?], TransactionError> {
        guard !stopped else { return .failure(.coordinatorNotAvailable) }
        guard await coordinates(id) else { return .failure(.notCoordinator) }
        return await exclusive(id) {
            do throws(TransactionError) {
                var record = try await checkedProducer(id, producerId: producerId, producerEpoch: producerEpoch)
                if verifyOnly {
                    let open = record.status == .ongoing
                    return .success(Dictionary(uniqueKeysWithValues: partitions.map { tp in
                        (tp, open && record.partitions.contains(tp) ? TransactionError?.none
                            : TransactionError.invalidTxnState("\(tp) is not in the producer's ongoing transaction"))
                    }))
                }
                if record.status.isCompleting { return .failure(.concurrentTransactions) }
                let newPartitions = Set(partitions).subtracting(record.partitions)
                let newGroups = Set(groups).subtracting(record.groups)
                if record.status != .ongoing || !newPartitions.isEmpty || !newGroups.isEmpty {
                    let now = clock()
                    if record.status != .ongoing {
                        record.partitions = []
                        record.groups = []
                        record.startedAt = now
                        record.status = .ongoing
                    }
                    record.partitions += newPartitions
                    record.groups += newGroups
                    record.updatedAt = now
                    try await persist(record)
                }
                return .success(Dictionary(uniqueKeysWithValues: partitions.map { ($0, nil) }))
            } catch {
                return .failure(error)
            }
        }
    }

    /// EndTxn: commits or aborts the producer's transaction. The decision is stored
    /// (PrepareCommit/PrepareAbort) before the markers are written; the answer comes after
    /// the first attempt to write them, and failed partitions are retried in the background.
    /// A retry of a completed EndTxn with the same outcome succeeds again; while a
    /// completion runs, any EndTxn gets CONCURRENT_TRANSACTIONS.
    public func endTransaction(transactionalId: String, producerId: Int64, producerEpoch: Int16, commit: Bool) async -> TransactionError? {
        guard !stopped else { return .coordinatorNotAvailable }
        guard await coordinates(transactionalId) else { return .notCoordinator }
        let prepared: TransactionError?? = await exclusive(transactionalId) {
            do throws(TransactionError) {
                var record = try await checkedProducer(transactionalId, producerId: producerId, producerEpoch: producerEpoch)
                switch record.status {
                case .ongoing:
                    record.status = commit ? .prepareCommit : .prepareAbort
                    record.updatedAt = clock()
                    try await persist(record)
                    return .some(nil)
                case .prepareCommit, .prepareAbort:
                    // Also an abort racing a commit being completed: retry, not fenced (apache/kafka#18467).
                    return .concurrentTransactions
                case .completeCommit where commit, .completeAbort where !commit:
                    return nil
                case .completeCommit, .completeAbort:
                    return .invalidTxnState("the last transaction was \(record.status == .completeCommit ? "committed" : "aborted"); cannot \(commit ? "commit" : "abort") it")
                case .empty:
                    return .invalidTxnState("no transaction is open: add a partition or offsets first")
                }
            } catch {
                return .some(error)
            }
        }
        switch prepared {
        case .none:
            return nil
        case .some(.some(let error)):
            return error
        case .some(.none):
            if await !completeOnce(transactionalId) { scheduleCompletion(transactionalId) }
            return nil
        }
    }

    /// The state of `id` when `producerId` and `producerEpoch` are its current producer's.
    func checkedProducer(_ id: String, producerId: Int64, producerEpoch: Int16) async throws(TransactionError) -> TransactionStateRecord {
        guard let record = try await current(id), record.producerId == producerId else { throw .invalidProducerIdMapping }
        guard record.producerEpoch == producerEpoch else { throw .producerFenced(current: record.producerEpoch) }
        return record
    }

    /// Stores the decision to abort `record`'s open transaction. With `fence`, the epoch is
    /// bumped first (unless exhausted), so the producer's next request is fenced and the
    /// abort markers carry the new epoch.
    func prepareAbort(_ record: inout TransactionStateRecord, fence: Bool, now: Date, reason: String) async throws(TransactionError) {
        if fence && record.producerEpoch < Int16.max - 1 {
            record.lastProducerEpoch = record.producerEpoch
            record.producerEpoch += 1
        }
        record.status = .prepareAbort
        record.updatedAt = now
        try await persist(record)
        logger.info("aborting transaction: \(reason)",
                    metadata: ["transactionalId": "\(record.transactionalId)", "epoch": "\(record.producerEpoch)"])
    }
}
