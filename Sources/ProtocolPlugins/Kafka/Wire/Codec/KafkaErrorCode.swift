/// Kafka's error codes (the ones Sluice sends or a client of it may receive).
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    init(_ raw: Int16) { rawValue = raw }

    public static let unknownServerError = KafkaErrorCode(-1)
    public static let none = KafkaErrorCode(0)
    public static let offsetOutOfRange = KafkaErrorCode(1)
    public static let corruptMessage = KafkaErrorCode(2)
    public static let unknownTopicOrPartition = KafkaErrorCode(3)
    public static let leaderNotAvailable = KafkaErrorCode(5)
    public static let notLeaderOrFollower = KafkaErrorCode(6)
    public static let requestTimedOut = KafkaErrorCode(7)
    public static let messageTooLarge = KafkaErrorCode(10)
    public static let notEnoughReplicas = KafkaErrorCode(19)
    public static let notEnoughReplicasAfterAppend = KafkaErrorCode(20)
    public static let coordinatorNotAvailable = KafkaErrorCode(15)
    public static let invalidTopic = KafkaErrorCode(17)
    public static let recordListTooLarge = KafkaErrorCode(18)
    public static let invalidRequiredAcks = KafkaErrorCode(21)
    /// The principal may not do this to the topic (ACLs).
    public static let topicAuthorizationFailed = KafkaErrorCode(29)
    /// The principal may not do this to the cluster (ACLs).
    public static let clusterAuthorizationFailed = KafkaErrorCode(31)
    /// SaslHandshake named a mechanism the listener does not enable.
    public static let unsupportedSaslMechanism = KafkaErrorCode(33)
    /// A SASL request arrived when the exchange did not expect it.
    public static let illegalSaslState = KafkaErrorCode(34)
    public static let unsupportedVersion = KafkaErrorCode(35)
    public static let topicAlreadyExists = KafkaErrorCode(36)
    public static let invalidPartitions = KafkaErrorCode(37)
    public static let invalidReplicationFactor = KafkaErrorCode(38)
    public static let invalidReplicaAssignment = KafkaErrorCode(39)
    public static let invalidConfig = KafkaErrorCode(40)
    /// The request must go to the controller; this broker is not it.
    public static let notController = KafkaErrorCode(41)
    public static let invalidRequest = KafkaErrorCode(42)
    public static let unsupportedForMessageFormat = KafkaErrorCode(43)
    public static let outOfOrderSequenceNumber = KafkaErrorCode(45)
    public static let duplicateSequenceNumber = KafkaErrorCode(46)
    public static let invalidProducerEpoch = KafkaErrorCode(47)
    public static let transactionalIdAuthorizationFailed = KafkaErrorCode(53)
    /// ACL administration on a broker without an ACL authorizer.
    public static let securityDisabled = KafkaErrorCode(54)
    public static let kafkaStorageError = KafkaErrorCode(56)
    /// Wrong password, unknown user or a malformed SASL message.
    public static let saslAuthenticationFailed = KafkaErrorCode(58)
    public static let unknownProducerId = KafkaErrorCode(59)
    public static let fencedLeaderEpoch = KafkaErrorCode(74)
    public static let unknownLeaderEpoch = KafkaErrorCode(75)
    public static let invalidRecord = KafkaErrorCode(87)
    public static let unknownTopicId = KafkaErrorCode(100)
    public static let preferredLeaderNotAvailable = KafkaErrorCode(80)
    public static let eligibleLeadersNotAvailable = KafkaErrorCode(83)
    public static let electionNotNeeded = KafkaErrorCode(84)
    /// A cancel named a partition that is not being reassigned.
    public static let noReassignmentInProgress = KafkaErrorCode(85)
    /// An incremental fetch named a fetch session this broker does not hold (evicted or
    /// closed); the client starts again with a full fetch.
    public static let fetchSessionIdNotFound = KafkaErrorCode(70)
    /// An incremental fetch carried another epoch than its session expects (a lost or
    /// duplicated request); the client starts again with a full fetch.
    public static let invalidFetchSessionEpoch = KafkaErrorCode(71)
    /// An incremental fetch used topic ids in a session opened with names, or the reverse.
    public static let fetchSessionTopicIdError = KafkaErrorCode(106)
    public static let mismatchedEndpointType = KafkaErrorCode(114)
    public static let unsupportedEndpointType = KafkaErrorCode(115)

    static let names: [Int16: String] = [
        -1: "UNKNOWN_SERVER_ERROR", 0: "NONE", 1: "OFFSET_OUT_OF_RANGE", 2: "CORRUPT_MESSAGE",
        3: "UNKNOWN_TOPIC_OR_PARTITION", 5: "LEADER_NOT_AVAILABLE", 6: "NOT_LEADER_OR_FOLLOWER",
        7: "REQUEST_TIMED_OUT", 10: "MESSAGE_TOO_LARGE", 19: "NOT_ENOUGH_REPLICAS", 20: "NOT_ENOUGH_REPLICAS_AFTER_APPEND", 15: "COORDINATOR_NOT_AVAILABLE",
        17: "INVALID_TOPIC_EXCEPTION", 18: "RECORD_LIST_TOO_LARGE", 21: "INVALID_REQUIRED_ACKS",
        31: "CLUSTER_AUTHORIZATION_FAILED", 33: "UNSUPPORTED_SASL_MECHANISM", 34: "ILLEGAL_SASL_STATE", 35: "UNSUPPORTED_VERSION", 36: "TOPIC_ALREADY_EXISTS",
        37: "INVALID_PARTITIONS", 38: "INVALID_REPLICATION_FACTOR", 39: "INVALID_REPLICA_ASSIGNMENT",
        40: "INVALID_CONFIG", 41: "NOT_CONTROLLER", 80: "PREFERRED_LEADER_NOT_AVAILABLE",
        83: "ELIGIBLE_LEADERS_NOT_AVAILABLE", 84: "ELECTION_NOT_NEEDED", 85: "NO_REASSIGNMENT_IN_PROGRESS", 42: "INVALID_REQUEST", 43: "UNSUPPORTED_FOR_MESSAGE_FORMAT",
        45: "OUT_OF_ORDER_SEQUENCE_NUMBER", 46: "DUPLICATE_SEQUENCE_NUMBER", 47: "INVALID_PRODUCER_EPOCH",
        53: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", 56: "KAFKA_STORAGE_ERROR", 58: "SASL_AUTHENTICATION_FAILED", 59: "UNKNOWN_PRODUCER_ID",
        74: "FENCED_LEADER_EPOCH", 75: "UNKNOWN_LEADER_EPOCH", 87: "INVALID_RECORD", 100: "UNKNOWN_TOPIC_ID",
        70: "FETCH_SESSION_ID_NOT_FOUND", 71: "INVALID_FETCH_SESSION_EPOCH", 106: "FETCH_SESSION_TOPIC_ID_ERROR",
        114: "MISMATCHED_ENDPOINT_TYPE", 115: "UNSUPPORTED_ENDPOINT_TYPE",
    ]

    /// Kafka's name for the code, e.g. "UNKNOWN_TOPIC_OR_PARTITION".
    public var name: String { Self.names[rawValue] ?? Self.groupNames[rawValue] ?? Self.transactionNames[rawValue]
        ?? Self.userNames[rawValue] ?? "ERROR_\(rawValue)" }
    public var description: String { "\(name) (\(rawValue))" }
}
