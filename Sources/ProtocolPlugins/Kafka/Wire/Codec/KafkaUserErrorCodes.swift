/// The error codes of the user-SCRAM-credential APIs (DescribeUserScramCredentials,
/// AlterUserScramCredentials), kept apart like the group codes; `KafkaErrorCode.name`
/// looks here too.
extension KafkaErrorCode {
    /// The user has no SCRAM credential (for the mechanism asked about).
    public static let resourceNotFound = KafkaErrorCode(91)
    /// The request names the same user twice (describe), or the same user and mechanism twice (alter).
    public static let duplicateResource = KafkaErrorCode(92)
    /// The credential is refused: too few or too many iterations, an empty user name or salt.
    public static let unacceptableCredential = KafkaErrorCode(93)

    static let userNames: [Int16: String] = [
        91: "RESOURCE_NOT_FOUND", 92: "DUPLICATE_RESOURCE", 93: "UNACCEPTABLE_CREDENTIAL",
    ]
}
