/// Why a SASL exchange failed. The Kafka listener answers every one of them with
/// SASL_AUTHENTICATION_FAILED (after the failed-authentication delay) and closes.
public enum SaslError: Error, Equatable, CustomStringConvertible {
    /// The client's message does not parse; `why` names the part.
    case malformed(String)
    /// Unknown user or wrong password; deliberately the same for both.
    case invalidCredentials
    /// The client asked for something the server does not do (channel binding, an authzid
    /// other than the username).
    case unsupported(String)
    /// A message arrived when the exchange expected none, or another one.
    case unexpectedMessage

    public var description: String {
        switch self {
        case .malformed(let why): "malformed SASL message: \(why)"
        case .invalidCredentials: "Authentication failed: Invalid username or password"
        case .unsupported(let why): "unsupported SASL request: \(why)"
        case .unexpectedMessage: "unexpected SASL message: the exchange is already complete or failed"
        }
    }
}
