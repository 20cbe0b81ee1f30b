import Foundation

/// Cluster mode: coordination of a transactional id moves with the leadership of its
/// `__consumer_offsets` partition. The state is in the metadata store (ZooKeeper), so the
/// broker that gains an id loads it and finishes what the previous coordinator left:
/// PrepareCommit/PrepareAbort get their markers written, Ongoing ones run to their
/// timeout (or the producer's next EndTxn/InitProducerId). Its markers carry the new
/// coordinator epoch, so a late marker of the replaced coordinator is refused.
extension TransactionCoordinator {
    /// Adopts the stored state of every id this broker has come to coordinate, and drops
    /// the ids it no longer does, when the cluster view's coordination changed since the
    /// last pass. Called by the timer; a failed read of the store is tried on the next tick.
    func followCoordination() async {
        guard let clusterView, !stopped else { return }
        let signature = await clusterView.coordinationSignature()
        guard signature != adoptedSignature else { return }
        let stored: [TransactionStateRecord]
        do {
            stored = try await metadata.transactions()
        } catch {
            logger.warning("reading the stored transactions after a coordination change failed; trying again: \(error)")
            return
        }
        adoptedSignature = signature
        var adopted = 0
        for record in stored {
            let id = record.transactionalId
            guard await coordinates(id) else {
                forget(id)
                continue
            }
            // Ids held already are current: this coordinator made every change since.
            guard states[id] == nil, !busy.contains(id) else { continue }
            adopted += 1
            remember(record)
            if record.status.isCompleting && completionAttempts[id] == nil {
                let epoch = await coordinatorEpoch(for: id)
                logger.info("completing transaction left \(record.status.rawValue) by the previous coordinator",
                            metadata: ["transactionalId": "\(id)", "coordinatorEpoch": "\(epoch)"])
                scheduleCompletion(id)
            }
        }
        if adopted > 0 { logger.info("now coordinating \(adopted) more transactional ids") }
    }

    /// The coordinator epoch written into `id`'s markers: the leader epoch of its
    /// coordination partition in a cluster, the configured one on a single node.
    func coordinatorEpoch(for id: String) async -> Int32 {
        guard let clusterView else { return config.coordinatorEpoch }
        return await clusterView.coordinatorEpoch(for: id)
    }

    /// Forgets an id another broker coordinates now (its state stays in the store).
    private func forget(_ id: String) {
        guard let record = states.removeValue(forKey: id) else { return }
        if byProducerId[record.producerId] == id { byProducerId.removeValue(forKey: record.producerId) }
        completionRetries.removeValue(forKey: id)?.cancel()
    }
}
