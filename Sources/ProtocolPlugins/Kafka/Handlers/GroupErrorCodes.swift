import KafkaWire
import SluiceKernel

extension GroupError {
    /// The Kafka error code a client understands for this refusal.
    var kafkaErrorCode: KafkaErrorCode {
        switch self {
        case .invalidGroupId: .invalidGroupId
        case .unknownMemberId: .unknownMemberId
        case .illegalGeneration: .illegalGeneration
        case .rebalanceInProgress: .rebalanceInProgress
        case .memberIdRequired: .memberIdRequired
        case .inconsistentGroupProtocol: .inconsistentGroupProtocol
        case .invalidSessionTimeout: .invalidSessionTimeout
        case .groupIdNotFound: .groupIdNotFound
        case .nonEmptyGroup: .nonEmptyGroup
        case .groupSubscribedToTopic: .groupSubscribedToTopic
        case .fencedInstanceId: .fencedInstanceId
        case .coordinatorNotAvailable: .coordinatorNotAvailable
        case .notCoordinator: .notCoordinator
        case .unknownTopicOrPartition: .unknownTopicOrPartition
        case .storage: .kafkaStorageError
        }
    }
}

extension Optional where Wrapped == GroupError {
    /// The wire code of an optional refusal: NONE (0) when there is none.
    var kafkaCode: Int16 { (self?.kafkaErrorCode ?? .none).rawValue }
}
