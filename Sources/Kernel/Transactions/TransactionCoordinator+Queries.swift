import Foundation

/// KIP-890 verification for partitions, and the admin views (DescribeTransactions,
/// ListTransactions).
extension TransactionCoordinator: TransactionVerifier {
    /// Whether a transactional produce of (`producerId`, `producerEpoch`) to `partition` belongs
    /// to an ongoing transaction that added it. A transaction being completed answers
    /// `.concurrent` (retry), never "not ongoing".
    public func verify(transactionalProducer producerId: Int64, epoch producerEpoch: Int16,
                       partition: TopicPartition) async -> TransactionVerification {
        guard !stopped else { return .unavailable }
        guard let id = byProducerId[producerId], let record = states[id], record.producerId == producerId else {
            return .notInTransaction
        }
        if producerEpoch < record.producerEpoch { return .fenced(currentEpoch: record.producerEpoch) }
        if producerEpoch > record.producerEpoch { return .notInTransaction }
        if record.status.isCompleting { return .concurrent }
        return record.status == .ongoing && record.partitions.contains(partition) ? .ongoing : .notInTransaction
    }

    /// DescribeTransactions for one id: nil when this coordinator holds no state for it.
    public func describe(transactionalId: String) async -> Result<TransactionDescription?, TransactionError> {
        guard await coordinates(transactionalId) else { return .failure(.notCoordinator) }
        do throws(TransactionError) {
            return .success(try await current(transactionalId).map(TransactionDescription.init))
        } catch {
            return .failure(error)
        }
    }

    /// ListTransactions: the transactions this coordinator holds, filtered by status and
    /// producer id (empty filters match all) and, when `minDurationMs` ≥ 0, to open ones
    /// running at least that long. Sorted by transactional id.
    public func list(statuses: Set<TransactionStatus>, producerIds: Set<Int64>, minDurationMs: Int64 = -1) async -> [TransactionDescription] {
        if clusterView != nil, let stored = try? await metadata.transactions() {
            for record in stored where await coordinates(record.transactionalId) { remember(record) }
        }
        let now = clock()
        return states.values.filter { record in
            (statuses.isEmpty || statuses.contains(record.status))
                && (producerIds.isEmpty || producerIds.contains(record.producerId))
                && (minDurationMs < 0 || record.startedAt.map { now.timeIntervalSince($0) * 1000 >= Double(minDurationMs) } ?? false)
        }.sorted { $0.transactionalId < $1.transactionalId }.map(TransactionDescription.init)
    }
}
