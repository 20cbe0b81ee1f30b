import KafkaWire
import SluiceKernel

extension BrokerError {
    /// The Kafka error code a client understands for this refusal.
    var kafkaErrorCode: KafkaErrorCode {
        switch self {
        case .unknownTopicOrPartition: .unknownTopicOrPartition
        case .topicAlreadyExists: .topicAlreadyExists
        case .invalidTopic: .invalidTopic
        case .invalidPartitions: .invalidPartitions
        case .invalidReplicationFactor: .invalidReplicationFactor
        case .invalidReplicaAssignment: .invalidReplicaAssignment
        case .invalidConfig: .invalidConfig
        case .invalidRecord(let error):
            switch error {
            case .invalidRecordCount, .malformedRecord: .invalidRecord
            case .tooLarge: .messageTooLarge
            case .unsupportedMagic: .unsupportedForMessageFormat
            case .unsupportedCompression: .unsupportedForMessageFormat
            case .truncated, .invalidLength, .checksumMismatch: .corruptMessage
            }
        case .recordsRejected: .invalidRecord
        case .messageTooLarge: .messageTooLarge
        case .unsupportedMessageFormat: .unsupportedForMessageFormat
        case .offsetOutOfRange: .offsetOutOfRange
        case .outOfOrderSequence: .outOfOrderSequenceNumber
        case .invalidProducerEpoch: .invalidProducerEpoch
        case .unknownProducerId: .unknownProducerId
        case .storage: .kafkaStorageError
        case .notReady: .leaderNotAvailable
        case .notLeaderOrFollower: .notLeaderOrFollower
        case .notEnoughReplicas: .notEnoughReplicas
        case .notEnoughReplicasAfterAppend: .notEnoughReplicasAfterAppend
        case .requestTimedOut: .requestTimedOut
        case .fencedLeaderEpoch: .fencedLeaderEpoch
        case .unknownLeaderEpoch: .unknownLeaderEpoch
        case .invalidTxnState: .invalidTxnState
        case .transactionCoordinatorFenced: .transactionCoordinatorFenced
        case .transactionNotVerified: .notEnoughReplicas
        }
    }
}

extension KafkaErrorCode {
    /// The code of `error`, or UNKNOWN_SERVER_ERROR for anything that is not a `BrokerError`.
    static func of(_ error: any Error) -> KafkaErrorCode {
        (error as? BrokerError)?.kafkaErrorCode ?? .unknownServerError
    }
}
