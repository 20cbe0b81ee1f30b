import Foundation
import Synchronization

/// The coordinator's `TransactionVerifier`, readable on the produce path without a hop
/// through the broker actor.
final class TransactionVerifierSlot: Sendable {
    private let verifier = Mutex<(any TransactionVerifier)?>(nil)

    var current: (any TransactionVerifier)? { verifier.withLock { $0 } }

    func set(_ new: (any TransactionVerifier)?) { verifier.withLock { $0 = new } }
}

/// The partitions' side of transactions, as the transaction coordinator and the Kafka
/// plugin reach it: markers (`TransactionMarkerWriter`), the KIP-890 verification of a
/// transactional produce, and DescribeProducers.
extension Broker: TransactionMarkerWriter {
    /// Installs the transaction coordinator's verifier (nil removes it). Without one, a
    /// transactional produce is refused with INVALID_TXN_STATE: nothing could end the
    /// transaction it would open.
    public nonisolated func setTransactionVerifier(_ verifier: (any TransactionVerifier)?) {
        transactionVerifier.set(verifier)
    }

    /// Writes `marker` into each partition held here (see `Partition.writeMarker`): a
    /// commit or abort control batch that ends the producer's open transaction, moves the
    /// last stable offset and, for an abort, records the transaction in the partition's
    /// aborted-transaction index. Idempotent per partition. Returns the partitions that
    /// failed with their error (unknown here, not the leader, storage, fenced epochs).
    public nonisolated func writeMarkers(_ marker: TransactionMarker, partitions: [TopicPartition]) async -> [TopicPartition: BrokerError] {
        let routes = routes.current
        let now = Int64(clock().timeIntervalSince1970 * 1000)
        var failed: [TopicPartition: BrokerError] = [:]
        for tp in partitions {
            guard let partition = routes.partition(tp) else {
                failed[tp] = routes.topics[tp.topic] == nil ? .unknownTopicOrPartition(tp.topic, tp.partition) : routes.missingPartitionError(tp)
                continue
            }
            do {
                try await partition.writeMarker(marker, now: now)
                if routes.clustered, let state = routes.topics[tp.topic] {
                    // As Kafka writes markers with acks=all: a marker only counts once the
                    // in-sync replicas hold it, or a new leader could lack it while the
                    // coordinator believes the transaction complete, and the LSO would stick.
                    try await partition.awaitReplication(through: await partition.logEndOffset,
                                                         minInsync: routes.minInsyncReplicas(state.settings),
                                                         deadline: .now + Self.markerReplicationTimeout,
                                                         timeoutMs: Self.markerReplicationTimeout.milliseconds)
                }
            } catch {
                failed[tp] = error
            }
        }
        return failed
    }

    /// How long a marker waits for the in-sync replicas in a cluster before the partition
    /// is reported failed (the coordinator then writes it again). 10 s.
    static let markerReplicationTimeout = Duration.seconds(10)

    /// The producers a partition knows, with their open transactions (DescribeProducers).
    public nonisolated func describeProducers(_ tp: TopicPartition) async throws(BrokerError) -> [ProducerState] {
        guard let partition = routes.current.partition(tp) else { throw .unknownTopicOrPartition(tp.topic, tp.partition) }
        do {
            return try await partition.describeProducers()
        } catch let error as BrokerError {
            throw error
        } catch {
            throw .storage("\(error)")
        }
    }

    /// For a produce whose batches are transactional: when the producer has no
    /// transaction open in the partition yet, asks the coordinator whether its ongoing
    /// transaction includes the partition (KIP-890 part 1) and returns the guard the
    /// append must hold; nil when no verification is needed.
    nonisolated func verifyTransactionalProduce(_ batches: [RecordBatch], to partition: Partition,
                                                transactionalId: String? = nil) async throws(BrokerError) -> UInt64? {
        guard let batch = batches.first(where: \.isTransactional) else { return nil }
        let tp = partition.topicPartition
        guard let verifier = transactionVerifier.current else {
            throw .invalidTxnState(tp, "this broker runs no transaction coordinator, so a transactional produce "
                                   + "(producer \(batch.producerId)) cannot be accepted on \(tp); produce without transactional.id")
        }
        let token: UInt64?
        do {
            token = try await partition.beginVerification(producerId: batch.producerId, epoch: batch.producerEpoch)
        } catch let error as BrokerError {
            throw error
        } catch {
            throw .storage("\(error)")
        }
        guard let token else { return nil }
        switch await verifier.verify(transactionalId: transactionalId, producer: batch.producerId, epoch: batch.producerEpoch, partition: tp) {
        case .ongoing:
            return token
        case .notInTransaction:
            throw .invalidTxnState(tp, "producer \(batch.producerId) (epoch \(batch.producerEpoch)) has no ongoing transaction that includes \(tp): "
                                   + "add the partition to the transaction first (AddPartitionsToTxn)")
        case .fenced(let current):
            throw .invalidProducerEpoch(producerId: batch.producerId, current: current, received: batch.producerEpoch)
        case .concurrent:
            throw .transactionNotVerified(tp, "the coordinator is completing the producer's previous transaction")
        case .unavailable:
            throw .transactionNotVerified(tp, "the transaction coordinator is not available")
        }
    }
}
