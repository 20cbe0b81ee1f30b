import Foundation

/// transactional.id.expiration.ms: transactional ids nobody has used for that long are
/// forgotten, so the store does not keep every id a short-lived application ever used.
extension TransactionCoordinator {
    /// Removes from the store, then from memory, every transactional id with no transaction
    /// open or completing whose last update is at least `transactionalIdExpirationMs` old,
    /// as Kafka's coordinator does (only Empty, CompleteCommit and CompleteAbort ids expire).
    /// A later InitProducerId with the id starts afresh with a new producer id; a producer
    /// still holding the old one gets INVALID_PRODUCER_ID_MAPPING. An id whose removal the
    /// store refuses is kept and tried again on the next pass.
    /// - Returns: the ids removed, sorted.
    @discardableResult
    public func removeExpiredTransactionalIds() async -> [String] {
        let now = clock()
        let limit = Double(config.transactionalIdExpirationMs) / 1000
        let isExpired: @Sendable (TransactionStateRecord) -> Bool = { record in
            switch record.status {
            case .empty, .completeCommit, .completeAbort: now.timeIntervalSince(record.updatedAt) >= limit
            case .ongoing, .prepareCommit, .prepareAbort: false
            }
        }
        var removed: [String] = []
        for id in states.values.filter(isExpired).map(\.transactionalId).sorted() {
            let done: Bool = await exclusive(id) {
                guard let record = states[id], isExpired(record), completionAttempts[id] == nil else { return false }
                do {
                    try await metadata.deleteTransaction(id)
                } catch {
                    logger.warning("removing expired transactional id \(id) failed; trying again later: \(error)")
                    return false
                }
                states.removeValue(forKey: id)
                if byProducerId[record.producerId] == id { byProducerId.removeValue(forKey: record.producerId) }
                return true
            }
            if done { removed.append(id) }
        }
        if !removed.isEmpty {
            logger.info("removed \(removed.count) transactional ids idle longer than \(config.transactionalIdExpirationMs) ms")
        }
        return removed
    }
}
