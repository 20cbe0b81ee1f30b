/// A SASL PLAIN message (RFC 4616): `[authzid] NUL authcid NUL passwd`.
public struct PlainMessage: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Parses `bytes`; an empty authzid means the username, any other must equal it
    /// (as Kafka's PlainSaslServer); username and password must not be empty.
    public init(parsing bytes: [UInt8]) throws(SaslError) {
        let parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("PLAIN must be authzid NUL username NUL password") }
        guard let authzid = String(validating: parts[0], as: UTF8.self),
              let username = String(validating: parts[1], as: UTF8.self),
              let password = String(validating: parts[2], as: UTF8.self) else {
            throw .malformed("PLAIN fields must be UTF-8")
        }
        guard !username.isEmpty else { throw .malformed("PLAIN username is empty") }
        guard !password.isEmpty else { throw .malformed("PLAIN password is empty") }
        guard authzid.isEmpty || authzid == username else {
            throw .unsupported("authorization id '\(authzid)' differs from the username '\(username)'")
        }
        self.username = username
        self.password = password
    }
}
