/// How a transaction coordinator and partition leaders on different brokers reach each
/// other in cluster mode: markers to a partition's leader (Kafka's WriteTxnMarkers) and a
/// leader's KIP-890 question to the coordinator (AddPartitionsToTxn v4+ with verifyOnly).
/// The Kafka plugin provides it beside its `ReplicaTransport`; the kernel sees no wire type.
public protocol TransactionTransport: Sendable {
    /// Asks the broker at `leader` to write `marker` into `partitions` (which it should
    /// lead). Returns the partitions it refused, with their error; throws when the broker
    /// cannot be reached (every partition is then retried).
    func writeTxnMarkers(to leader: BrokerEndpoint, marker: TransactionMarker,
                         partitions: [TopicPartition]) async throws -> [TopicPartition: BrokerError]

    /// Asks the coordinator at `coordinator` whether `partition` is in the ongoing
    /// transaction of `transactionalId` with this producer id and epoch. Throws when the
    /// coordinator cannot be reached.
    func verifyTransaction(at coordinator: BrokerEndpoint, transactionalId: String, producerId: Int64, producerEpoch: Int16,
                           partition: TopicPartition) async throws -> TransactionVerification
}
