/// One user's SCRAM credentials as the metadata store lists them (what
/// DescribeUserScramCredentials and `sluice users list` show: mechanisms and iteration
/// counts, never keys).
public struct ScramUserRecord: Sendable, Equatable {
    /// The SASL username, as the client sends it (unescaped).
    public var user: String
    /// The user's credential per mechanism; never empty in a listing.
    public var credentials: [ScramMechanism: ScramCredential]

    public init(user: String, credentials: [ScramMechanism: ScramCredential]) {
        self.user = user
        self.credentials = credentials
    }
}
