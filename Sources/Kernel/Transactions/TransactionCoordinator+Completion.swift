import Foundation

/// Completing transactions: markers into every partition, staged offsets into every
/// group, then CompleteCommit/CompleteAbort stored; and aborting expired transactions.
extension TransactionCoordinator {
    /// One attempt to complete `id`'s PrepareCommit/PrepareAbort transaction; true when it
    /// is complete (or nothing was left to complete). Concurrent callers share one attempt.
    func completeOnce(_ id: String) async -> Bool {
        if let running = completionAttempts[id] { return await running.value }
        let attempt = Task { await self.attemptCompletion(id) }
        completionAttempts[id] = attempt
        let done = await attempt.value
        completionAttempts.removeValue(forKey: id)
        return done
    }

    private func attemptCompletion(_ id: String) async -> Bool {
        guard let prepared = states[id], prepared.status.isCompleting else { return true }
        // Another broker coordinates the id now: it loaded the state and completes it.
        guard await coordinates(id) else { return true }
        let commit = prepared.status == .prepareCommit
        guard let markers else {
            logger.warning("no marker writer is attached; transaction of \(id) stays \(prepared.status.rawValue)")
            return false
        }
        let marker = TransactionMarker(producerId: prepared.producerId, producerEpoch: prepared.producerEpoch, commit: commit,
                                       coordinatorEpoch: await coordinatorEpoch(for: id))
        if !prepared.partitions.isEmpty {
            let failed = await markers.writeMarkers(marker, partitions: prepared.partitions)
            if !failed.isEmpty {
                logger.warning("writing \(commit ? "commit" : "abort") markers failed; retrying",
                               metadata: ["transactionalId": "\(id)", "failed": "\(failed.map { "\($0.key): \($0.value)" })"])
                return false
            }
        }
        for group in prepared.groups {
            do {
                try await offsetsCompleter?.completeTransactionalOffsets(group: group, producerId: prepared.producerId, commit: commit)
            } catch {
                logger.warning("completing the offsets of group \(group) failed; retrying: \(error)", metadata: ["transactionalId": "\(id)"])
                return false
            }
        }
        return await exclusive(id) {
            // Only the transaction these markers were for: never one that began since.
            guard var record = states[id], record.status == prepared.status, record.producerId == prepared.producerId,
                  record.producerEpoch == prepared.producerEpoch else { return true }
            record.status = commit ? .completeCommit : .completeAbort
            record.partitions = []
            record.groups = []
            record.startedAt = nil
            record.updatedAt = clock()
            do throws(TransactionError) {
                try await persist(record)
            } catch {
                return false
            }
            logger.debug("transaction \(commit ? "committed" : "aborted")", metadata: ["transactionalId": "\(id)"])
            return true
        }
    }

    /// Retries the completion of `id` in the background until it succeeds, backing off
    /// from `markerRetryBackoffMs` up to 5 s.
    func scheduleCompletion(_ id: String) {
        guard completionRetries[id] == nil, !stopped else { return }
        let initial = config.markerRetryBackoffMs
        completionRetries[id] = Task { [weak self] in
            var backoff = initial
            while !Task.isCancelled, let self {
                if await self.completeOnce(id) { break }
                try? await Task.sleep(for: .milliseconds(backoff))
                backoff = min(backoff * 2, 5_000)
            }
            await self?.retryEnded(id)
        }
    }

    private func retryEnded(_ id: String) { completionRetries.removeValue(forKey: id) }

    /// Aborts every open transaction older than its timeout, bumping the producer's epoch
    /// so that its next request is fenced (PRODUCER_FENCED), as Kafka does.
    public func abortExpired() async {
        let now = clock()
        let expired = states.values.filter { record in
            guard record.status == .ongoing, let started = record.startedAt else { return false }
            return now.timeIntervalSince(started) * 1000 >= Double(record.timeoutMs)
        }.map(\.transactionalId)
        for id in expired {
            guard await coordinates(id) else { continue }
            let aborting: Bool = await exclusive(id) {
                guard var record = states[id], record.status == .ongoing, let started = record.startedAt,
                      now.timeIntervalSince(started) * 1000 >= Double(record.timeoutMs) else { return false }
                do throws(TransactionError) {
                    try await prepareAbort(&record, fence: true, now: now, reason: "open longer than its timeout of \(record.timeoutMs) ms")
                    return true
                } catch {
                    return false
                }
            }
            if aborting, await !completeOnce(id) { scheduleCompletion(id) }
        }
    }
}
