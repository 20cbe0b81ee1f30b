import Logging

/// The coordinator's `TransactionMarkerWriter` in cluster mode: each partition's marker
/// goes to its current leader, this broker's own partitions directly, the others' over
/// the `TransactionTransport`. A partition with no live leader, or whose leader refuses
/// (the leadership moved), is returned as failed: the coordinator retries it, and the
/// next attempt looks the leader up again.
struct ClusterMarkerWriter: TransactionMarkerWriter {
    weak var broker: Broker?
    let view: ClusterView
    let transport: any TransactionTransport
    let logger: Logger

    func writeMarkers(_ marker: TransactionMarker, partitions: [TopicPartition]) async -> [TopicPartition: BrokerError] {
        guard let broker else {
            return Dictionary(uniqueKeysWithValues: partitions.map { ($0, BrokerError.notLeaderOrFollower($0, leader: nil)) })
        }
        var byLeader: [Int32: [TopicPartition]] = [:]
        var failed: [TopicPartition: BrokerError] = [:]
        for tp in partitions {
            guard let leader = await view.state(tp)?.leader, leader >= 0 else {
                failed[tp] = .notLeaderOrFollower(tp, leader: nil)
                continue
            }
            byLeader[leader, default: []].append(tp)
        }
        await withTaskGroup(of: [TopicPartition: BrokerError].self) { group in
            for (leader, owned) in byLeader {
                group.addTask {
                    if leader == view.localBroker { return await broker.writeMarkers(marker, partitions: owned) }
                    guard let endpoint = await view.broker(leader) else {
                        return Dictionary(uniqueKeysWithValues: owned.map { ($0, BrokerError.notLeaderOrFollower($0, leader: leader)) })
                    }
                    do {
                        return try await transport.writeTxnMarkers(to: endpoint, marker: marker, partitions: owned)
                    } catch {
                        logger.info("sending \(marker.commit ? "commit" : "abort") markers to broker \(leader) failed; retrying: \(error)")
                        return Dictionary(uniqueKeysWithValues: owned.map { ($0, BrokerError.notLeaderOrFollower($0, leader: leader)) })
                    }
                }
            }
            for await result in group { failed.merge(result) { first, _ in first } }
        }
        return failed
    }
}

/// A partition leader's `TransactionVerifier` in cluster mode: asks the transactional
/// id's coordinator, which may be this broker (then directly) or another (over the
/// `TransactionTransport`). Without a transactional id, or while no coordinator is known
/// or reachable, the produce is refused with a retriable error.
struct ClusterTransactionVerifier: TransactionVerifier {
    let local: TransactionCoordinator
    let view: ClusterView
    let transport: any TransactionTransport
    let logger: Logger

    func verify(transactionalProducer producerId: Int64, epoch producerEpoch: Int16, partition: TopicPartition) async -> TransactionVerification {
        await local.verify(transactionalProducer: producerId, epoch: producerEpoch, partition: partition)
    }

    func verify(transactionalId: String?, producer producerId: Int64, epoch producerEpoch: Int16,
                partition: TopicPartition) async -> TransactionVerification {
        guard let transactionalId else {
            return await local.verify(transactionalProducer: producerId, epoch: producerEpoch, partition: partition)
        }
        guard let coordinator = await view.groupCoordinator(for: transactionalId) else { return .unavailable }
        if coordinator.id == view.localBroker {
            return await local.verify(transactionalProducer: producerId, epoch: producerEpoch, partition: partition)
        }
        do {
            return try await transport.verifyTransaction(at: coordinator, transactionalId: transactionalId, producerId: producerId,
                                                         producerEpoch: producerEpoch, partition: partition)
        } catch {
            logger.info("verifying a transactional produce to \(partition) with coordinator \(coordinator.id) failed: \(error)")
            return .unavailable
        }
    }
}
