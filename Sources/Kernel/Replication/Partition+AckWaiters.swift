/// acks=all produces waiting for the high watermark, and follower fetches waiting for
/// the log end.
extension Partition {
    struct AckWaiter {
        /// Offset the high watermark must reach (last offset + 1).
        var offset: Int64
        var minInsync: Int
        var continuation: CheckedContinuation<BrokerError?, Never>
        var timer: Task<Void, Never>?
    }

    /// Returns once the high watermark has reached `offset`, or throws REQUEST_TIMED_OUT at
    /// `deadline`, NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrinks below `minInsync`,
    /// or NOT_LEADER_OR_FOLLOWER if leadership is lost. Returns at once on a single node.
    func awaitReplication(through offset: Int64, minInsync: Int, deadline: ContinuousClock.Instant,
                          timeoutMs: Int64) async throws(BrokerError) {
        guard clustered, highWatermark < offset else { return }
        guard let leader = leadership else { throw .notLeaderOrFollower(topicPartition, leader: following?.leader) }
        if leader.isr.count < minInsync {
            throw .notEnoughReplicasAfterAppend(topicPartition, isr: leader.isr.count, required: minInsync)
        }
        let id = nextAckWaiterID()
        let failure: BrokerError? = await withCheckedContinuation { continuation in
            let timer = Task { [weak self] in
                try? await Task.sleep(until: deadline, clock: .continuous)
                await self?.expireAckWaiter(id, timeoutMs: timeoutMs)
            }
            ackWaiters[id] = AckWaiter(offset: offset, minInsync: minInsync, continuation: continuation, timer: timer)
        }
        if let failure { throw failure }
    }

    private func nextAckWaiterID() -> UInt64 {
        nextWaiterID += 1
        return nextWaiterID
    }

    private func expireAckWaiter(_ id: UInt64, timeoutMs: Int64) {
        ackWaiters.removeValue(forKey: id)?.continuation.resume(returning: .requestTimedOut(topicPartition, timeoutMs: timeoutMs))
    }

    /// Answers the waiters the high watermark has passed: success while the ISR meets
    /// their minimum, else NOT_ENOUGH_REPLICAS_AFTER_APPEND (as Kafka: the records reached
    /// fewer replicas than the producer asked for).
    func resolveAckWaiters() {
        let isr = leadership?.isr.count ?? 0
        for (id, waiter) in ackWaiters where waiter.offset <= highWatermark {
            ackWaiters.removeValue(forKey: id)
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: isr >= waiter.minInsync ? nil
                : .notEnoughReplicasAfterAppend(topicPartition, isr: isr, required: waiter.minInsync))
        }
    }

    /// Fails the waiters whose `min.insync.replicas` the ISR no longer meets.
    func failAckWaitersBelowMinimum() {
        guard let leader = leadership else { return }
        for (id, waiter) in ackWaiters where leader.isr.count < waiter.minInsync {
            ackWaiters.removeValue(forKey: id)
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: .notEnoughReplicasAfterAppend(topicPartition, isr: leader.isr.count,
                                                                                   required: waiter.minInsync))
        }
    }

    func failAckWaiters(_ error: BrokerError) {
        for waiter in ackWaiters.values {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: error)
        }
        ackWaiters.removeAll()
    }

    /// Returns once the log end is past `offset` (or this broker stops leading), or when
    /// the task is cancelled: a follower's long poll.
    func waitForLogEnd(beyond offset: Int64) async {
        if logEndOffset > offset || leadership == nil || Task.isCancelled { return }
        let id = nextAckWaiterID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                logEndWaiters[id] = (offset, continuation)
            }
        } onCancel: {
            Task { await self.cancelLogEndWaiter(id) }
        }
    }

    private func cancelLogEndWaiter(_ id: UInt64) {
        logEndWaiters.removeValue(forKey: id)?.continuation.resume()
    }

    /// Wakes follower fetches the log end has passed, or all of them.
    func wakeLogEndWaiters(all: Bool) {
        for (id, waiter) in logEndWaiters where all || waiter.offset < logEndOffset {
            logEndWaiters.removeValue(forKey: id)
            waiter.continuation.resume()
        }
    }
}
