import Logging

/// Controlled shutdown (Kafka's): before a broker stops on SIGTERM, the controller moves
/// leadership of its partitions to in-sync followers and drops it from the ISRs, so
/// producers move to the new leaders at once (NOT_LEADER_OR_FOLLOWER) instead of waiting
/// for its coordination session to expire.
extension ClusterNode {
    /// The controller's side: moves `brokerId`'s leaderships and ISR memberships away.
    /// Returns the partitions it still leads (no other live in-sync replica).
    func controlledShutdown(of brokerId: Int32) async throws(ControlledShutdownError) -> [TopicPartition] {
        guard let controller else { throw .notController(await view.controller?.brokerId) }
        logger.notice("controlled shutdown requested", metadata: ["broker": "\(brokerId)"])
        do {
            return try await controller.shutDown(brokerId)
        } catch {
            throw .coordination("\(error)")
        }
    }

    /// The stopping broker's side, run before anything else stops: stops following, asks
    /// the controller (itself, or another broker over `ReplicaTransport`) until no led
    /// partition remains, then waits until this broker has seen its leaderships go, so
    /// clients are told NOT_LEADER_OR_FOLLOWER while it still answers. Gives up at
    /// `timeout` (the broker then stops as it would have without it). Returns whether
    /// every leadership that could move moved.
    @discardableResult
    public func controlledShutdown(timeout: Duration, retryBackoff: Duration = .milliseconds(200)) async -> Bool {
        guard let replicas else { return true }
        let start = ContinuousClock.now
        let deadline = start + timeout
        await replicas.leave()
        let me = broker.config.id
        var remaining: Set<TopicPartition>?
        var rounds = 0
        // As Kafka's controlled.shutdown.max.retries: partitions with no other in-sync
        // replica rarely gain one within seconds, so a few rounds, then stop.
        while ContinuousClock.now < deadline, rounds < 3 {
            do {
                let left: [TopicPartition]
                if let info = await view.controller, info.brokerId == me {
                    left = try await controlledShutdown(of: me)
                } else if let info = await view.controller, let endpoint = await view.broker(info.brokerId) {
                    left = try await replicas.requestControlledShutdown(controller: endpoint)
                } else {
                    throw ControlledShutdownError.notController(nil)
                }
                remaining = Set(left)
                // Done once the controller moved all it could and this broker leads only those.
                while ContinuousClock.now < deadline, !(await replicas.ledPartitions().isSubset(of: Set(left))) {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                if left.isEmpty { break }
                rounds += 1
                logger.info("controlled shutdown: partitions have no other in-sync replica yet; asking again",
                            metadata: ["remaining": "\(left.count)"])
            } catch {
                logger.info("controlled shutdown request failed; retrying: \(error)")
                // The controller may have changed: the next resync tells.
                await resync()
            }
            try? await Task.sleep(for: retryBackoff)
        }
        let moved = remaining?.isEmpty == true
        let stillLeading = await replicas.ledPartitions().count
        logger.notice("controlled shutdown \(moved ? "done" : "gave up")", metadata: [
            "broker": "\(me)", "elapsedMs": "\((ContinuousClock.now - start).milliseconds)",
            "stillLeading": "\(stillLeading)",
        ])
        return moved
    }
}
