import Foundation

extension Broker {
    /// Connects the transaction coordinator to this broker's producer ids, group offsets
    /// and partitions (markers; KIP-890 verification of transactional produce), then
    /// starts it (it completes transactions a crash left half done).
    func startTransactionCoordinator() async throws {
        await transactions.attach(producerIds: { [weak self] in await self?.allocateProducerId() ?? -1 }, offsets: groups)
        // Weakly: the broker owns the coordinator, so a strong reference back would keep
        // both alive after the broker is dropped.
        await transactions.attach(markers: BrokerMarkerWriter(broker: self))
        setTransactionVerifier(transactions)
        try await transactions.start()
    }
}

extension Broker {
    /// Cluster mode: markers go to each partition's current leader and a transactional
    /// produce is verified with its id's coordinator, on whichever broker they are, through
    /// `transport` (the Kafka plugin's broker-to-broker client). A no-op on a single node.
    public func attachClusterTransactions(transport: any TransactionTransport) async {
        guard let clusterView else { return }
        var transactionLogger = logger
        transactionLogger[metadataKey: "component"] = "transactions"
        await transactions.attach(markers: ClusterMarkerWriter(broker: self, view: clusterView, transport: transport, logger: transactionLogger))
        setTransactionVerifier(ClusterTransactionVerifier(local: transactions, view: clusterView, transport: transport, logger: transactionLogger))
    }
}

/// The broker as the coordinator's marker writer, held weakly (the broker owns the
/// coordinator). Once the broker is gone every partition fails with NOT_LEADER_OR_FOLLOWER,
/// and the coordinator, shut down with it, stops retrying.
struct BrokerMarkerWriter: TransactionMarkerWriter {
    weak var broker: Broker?

    func writeMarkers(_ marker: TransactionMarker, partitions: [TopicPartition]) async -> [TopicPartition: BrokerError] {
        guard let broker else {
            return Dictionary(uniqueKeysWithValues: partitions.map { ($0, BrokerError.notLeaderOrFollower($0, leader: nil)) })
        }
        return await broker.writeMarkers(marker, partitions: partitions)
    }
}
