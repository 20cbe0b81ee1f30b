import KafkaWire
import SluiceKafkaClient
import SluiceKernel

/// The kernel's `TransactionTransport` over the Kafka protocol, on the same broker-to-broker
/// connections as replication: WriteTxnMarkers (v1) to partition leaders, and
/// AddPartitionsToTxn v4 with verifyOnly (KIP-890 part 1) to transaction coordinators.
extension KafkaReplicaTransport: TransactionTransport {
    /// A leader answers markers once its in-sync replicas hold them (up to 10 s), so the
    /// call may take that long beyond the usual request slack.
    static let markerWait = Duration.seconds(10)

    public func writeTxnMarkers(to leader: BrokerEndpoint, marker: TransactionMarker,
                                partitions: [TopicPartition]) async throws -> [TopicPartition: BrokerError] {
        var request = WriteTxnMarkersRequest()
        let byTopic = Dictionary(grouping: partitions, by: \.topic)
        request.markers = [.init(producerId: marker.producerId, producerEpoch: marker.producerEpoch, transactionResult: marker.commit,
                                 topics: byTopic.keys.sorted().map { .init(name: $0, partitionIndexes: byTopic[$0]!.map(\.partition)) },
                                 coordinatorEpoch: marker.coordinatorEpoch)]
        let ask = request
        let response = try await call(leader, timeout: slack + Self.markerWait) { client in try await client.send(ask, version: 1) }
        var failed: [TopicPartition: BrokerError] = [:]
        var answered: Set<TopicPartition> = []
        for result in response.markers where result.producerId == marker.producerId {
            for topic in result.topics {
                for partition in topic.partitions {
                    let tp = TopicPartition(topic.name, partition.partitionIndex)
                    answered.insert(tp)
                    if let error = Self.markerError(partition.errorCode, tp, marker: marker, leader: leader.id) { failed[tp] = error }
                }
            }
        }
        for tp in partitions where !answered.contains(tp) {
            failed[tp] = .storage("broker \(leader.id) did not answer for \(tp) in WriteTxnMarkers")
        }
        return failed
    }

    public func verifyTransaction(at coordinator: BrokerEndpoint, transactionalId: String, producerId: Int64, producerEpoch: Int16,
                                  partition: TopicPartition) async throws -> TransactionVerification {
        var request = AddPartitionsToTxnRequest()
        request.transactions = [.init(transactionalId: transactionalId, producerId: producerId, producerEpoch: producerEpoch, verifyOnly: true,
                                      topics: [.init(name: partition.topic, partitions: [partition.partition])])]
        let ask = request
        let response = try await call(coordinator, timeout: slack) { client in try await client.send(ask, version: 4) }
        if let verdict = Self.verification(response.errorCode, epoch: producerEpoch) { return verdict }
        let code = response.resultsByTransaction.first { $0.transactionalId == transactionalId }?
            .topicResults.first { $0.name == partition.topic }?
            .resultsByPartition.first { $0.partitionIndex == partition.partition }?.partitionErrorCode
        guard let code else { return .unavailable }
        return Self.verification(code, epoch: producerEpoch) ?? .ongoing
    }

    /// The verdict an AddPartitionsToTxn error code means; nil for NONE.
    static func verification(_ code: Int16, epoch: Int16) -> TransactionVerification? {
        switch KafkaErrorCode(rawValue: code) {
        case .none: nil
        case .invalidTxnState, .invalidProducerIdMapping: .notInTransaction
        case .producerFenced, .invalidProducerEpoch: .fenced(currentEpoch: epoch == .max ? epoch : epoch + 1)
        case .concurrentTransactions: .concurrent
        default: .unavailable
        }
    }

    /// The kernel error a WriteTxnMarkers partition error code means; nil for NONE.
    static func markerError(_ code: Int16, _ tp: TopicPartition, marker: TransactionMarker, leader: Int32) -> BrokerError? {
        switch KafkaErrorCode(rawValue: code) {
        case .none: nil
        case .notLeaderOrFollower: .notLeaderOrFollower(tp, leader: nil)
        case .unknownTopicOrPartition: .unknownTopicOrPartition(tp.topic, tp.partition)
        case .invalidProducerEpoch: .invalidProducerEpoch(producerId: marker.producerId, current: -1, received: marker.producerEpoch)
        case .transactionCoordinatorFenced:
            .transactionCoordinatorFenced(tp, producerId: marker.producerId, current: -1, received: marker.coordinatorEpoch)
        case let other: .storage("broker \(leader) refused the marker on \(tp): \(other.name)")
        }
    }
}
