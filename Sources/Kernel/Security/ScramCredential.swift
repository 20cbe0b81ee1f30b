/// A SCRAM mechanism (RFC 5802 with the hash of RFC 7677 / Kafka's SCRAM-SHA-512).
public enum ScramMechanism: String, CaseIterable, Sendable, Codable, Comparable {
    case sha256 = "SCRAM-SHA-256"
    case sha512 = "SCRAM-SHA-512"

    /// The smallest iteration count accepted, as Kafka requires (and clients expect).
    public static let minIterations = 4096
    /// The largest iteration count accepted (some clients refuse more).
    public static let maxIterations = 16384

    /// Kafka's number for the mechanism in the user-SCRAM-credential APIs (1 or 2).
    public var kafkaType: Int8 { self == .sha256 ? 1 : 2 }

    /// The mechanism Kafka numbers `type`, or nil for an unknown number.
    public init?(kafkaType type: Int8) {
        switch type {
        case 1: self = .sha256
        case 2: self = .sha512
        default: return nil
        }
    }

    /// Digest length in bytes (32 or 64): the size of StoredKey, ServerKey and the salted password.
    public var keyBytes: Int { self == .sha256 ? 32 : 64 }

    public static func < (lhs: ScramMechanism, rhs: ScramMechanism) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a server keeps of a user's password for one SCRAM mechanism (RFC 5802 §3): never
/// the password, only what verifies a proof and signs the answer.
public struct ScramCredential: Sendable, Equatable, Codable {
    /// Random salt, 16+ bytes.
    public var salt: [UInt8]
    /// PBKDF2 iterations, at least `ScramMechanism.minIterations`.
    public var iterations: Int
    /// H(HMAC(SaltedPassword, "Client Key")).
    public var storedKey: [UInt8]
    /// HMAC(SaltedPassword, "Server Key").
    public var serverKey: [UInt8]

    public init(salt: [UInt8], iterations: Int, storedKey: [UInt8], serverKey: [UInt8]) {
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }
}

/// Where an authenticating listener finds users' SCRAM credentials (the metadata store,
/// or a fixed table in tests).
public protocol ScramCredentialSource: Sendable {
    /// The credential of `user` for `mechanism`, nil when the user has none.
    func scramCredential(user: String, mechanism: ScramMechanism) async throws -> ScramCredential?
}

/// A fixed table of credentials: tests, and the example to copy.
public struct StaticScramCredentials: ScramCredentialSource {
    /// Credentials by user name, then mechanism.
    public var users: [String: [ScramMechanism: ScramCredential]]

    public init(_ users: [String: [ScramMechanism: ScramCredential]] = [:]) { self.users = users }

    public func scramCredential(user: String, mechanism: ScramMechanism) async throws -> ScramCredential? {
        users[user]?[mechanism]
    }
}
