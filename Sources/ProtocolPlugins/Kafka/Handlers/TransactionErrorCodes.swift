import KafkaWire
import SluiceKernel

extension TransactionError {
    /// The Kafka error code a client understands for this refusal. PRODUCER_FENCED exists
    /// from KIP-588's versions on (`fencedIsKnown`); older clients get INVALID_PRODUCER_EPOCH.
    /// A store failure is COORDINATOR_NOT_AVAILABLE, which transactional clients retry.
    func kafkaErrorCode(fencedIsKnown: Bool) -> KafkaErrorCode {
        switch self {
        case .notCoordinator: .notCoordinator
        case .coordinatorNotAvailable, .storage: .coordinatorNotAvailable
        case .invalidTransactionTimeout: .invalidTransactionTimeout
        case .producerFenced: fencedIsKnown ? .producerFenced : .invalidProducerEpoch
        case .invalidProducerIdMapping: .invalidProducerIdMapping
        case .invalidTxnState: .invalidTxnState
        case .concurrentTransactions: .concurrentTransactions
        }
    }
}

extension Optional where Wrapped == TransactionError {
    /// The wire code of an optional refusal: NONE (0) when there is none.
    func kafkaCode(fencedIsKnown: Bool) -> Int16 { (self?.kafkaErrorCode(fencedIsKnown: fencedIsKnown) ?? .none).rawValue }
}
