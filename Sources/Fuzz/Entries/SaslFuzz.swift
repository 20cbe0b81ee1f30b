import Foundation
import SluiceKernel
import SluiceSASL

/// Fuzz entry for the SASL parsers and the server side of a SCRAM exchange: what an
/// unauthenticated client may send in SaslAuthenticate tokens.
///
/// The first byte picks what the rest is:
/// - `0`: a PLAIN message;
/// - `1`: a SCRAM client-first message;
/// - `2`: a SCRAM client-final message;
/// - `3` (SCRAM-SHA-256) or `4` (SCRAM-SHA-512): a whole exchange, written as a 2-byte
///   big-endian length, the client-first of that length, then the client-final. The server
///   knows one user, `fuzz-user` with password `fuzz-password` at 4096 iterations, and uses
///   the fixed server nonce ``serverNonce``, so a recorded exchange authenticates.
/// - anything else: a SASL name to unescape.
///
/// Invariants that trap: a parsed PLAIN message written back parses to itself; a parsed
/// client-first's username survives escape and unescape, and its nonce is printable;
/// an exchange authenticates only `fuzz-user`, and its server-final verifies with the
/// client's own key derivation (so a wrong proof can never pass).
package enum SaslFuzz {
    /// The server's half of the nonce in whole exchanges.
    package static let serverNonce = "fuzzservernonce"
    /// The one user the exchange knows.
    package static let user = "fuzz-user"
    /// That user's password.
    package static let password = "fuzz-password"
    /// Salt of the fixed credentials (16 bytes).
    package static let salt: [UInt8] = Array("sluice-fuzz-salt".utf8)

    /// What one input led to.
    package enum Outcome: Sendable, Equatable {
        /// The message parsed (modes 0–2, and names).
        case parsed
        /// A whole exchange authenticated this user.
        case authenticated(String)
        /// The parser or the exchange refused the input with this error.
        case refused(SaslError)
        /// The input was empty or too short for its mode.
        case tooShort
    }

    private static let saltedPasswords: [ScramMechanism: [UInt8]] = Dictionary(uniqueKeysWithValues:
        ScramMechanism.allCases.map {
            ($0, ScramCrypto.saltedPassword($0, password: Array(password.utf8), salt: salt, iterations: ScramMechanism.minIterations))
        })
    private static let credentials: [ScramMechanism: ScramCredential] = Dictionary(uniqueKeysWithValues:
        saltedPasswords.map { mechanism, salted in
            (mechanism, ScramCrypto.credential(mechanism, saltedPassword: salted, salt: salt, iterations: ScramMechanism.minIterations))
        })
    /// HMAC(SaltedPassword, "Client Key") per mechanism: what a correct proof hides.
    private static let clientKeys: [ScramMechanism: [UInt8]] = Dictionary(uniqueKeysWithValues:
        saltedPasswords.map { mechanism, salted in (mechanism, ScramCrypto.hmac(mechanism, key: salted, Array("Client Key".utf8))) })

    /// Runs one input; traps when an invariant breaks.
    package static func run(_ bytes: [UInt8]) -> Outcome {
        guard let mode = bytes.first else { return .tooShort }
        let rest = Array(bytes.dropFirst())
        do {
            switch mode {
            case 0: try checkPlain(rest)
            case 1: try checkClientFirst(rest)
            case 2: _ = try ScramClientFinal(parsing: rest)
            case 3, 4: return try exchange(rest, mechanism: mode == 3 ? .sha256 : .sha512)
            default: checkName(rest)
            }
            return .parsed
        } catch {
            return .refused(error)
        }
    }

    private static func checkPlain(_ bytes: [UInt8]) throws(SaslError) {
        let message = try PlainMessage(parsing: bytes)
        let written = [0] + Array(message.username.utf8) + [0] + Array(message.password.utf8)
        precondition((try? PlainMessage(parsing: written)) == message, "PLAIN \(message) does not survive writing back")
    }

    private static func checkClientFirst(_ bytes: [UInt8]) throws(SaslError) {
        let first = try ScramClientFirst(parsing: bytes)
        precondition(!first.username.isEmpty, "an empty username parsed")
        precondition(SaslName.unescape(Substring(SaslName.escape(first.username))) == first.username,
                     "username \(first.username) does not survive escape and unescape")
        precondition(first.nonce.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ",") },
                     "nonce \(first.nonce) is not printable ASCII without commas")
    }

    private static func checkName(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        precondition(SaslName.unescape(Substring(SaslName.escape(text))) == text, "\(text) does not survive escape and unescape")
        if let name = SaslName.unescape(Substring(text)) {
            precondition(SaslName.unescape(Substring(SaslName.escape(name))) == name, "\(name) does not round-trip")
        }
    }

    private static func exchange(_ bytes: [UInt8], mechanism: ScramMechanism) throws(SaslError) -> Outcome {
        guard bytes.count >= 2 else { return .tooShort }
        let length = Int(bytes[0]) << 8 | Int(bytes[1])
        guard bytes.count >= 2 + length else { return .tooShort }
        let first = try ScramClientFirst(parsing: Array(bytes[2..<(2 + length)]))
        guard first.username == user, let credential = credentials[mechanism] else { throw .invalidCredentials }
        let server = try ScramServer(mechanism: mechanism, clientFirst: first, credential: credential, serverNonce: serverNonce)
        let clientFinal = Array(bytes[(2 + length)...])
        let serverFinal = try server.serverFinal(for: clientFinal)
        // It authenticated, so the proof must be the one the password gives (RFC 5802 §3),
        // and the server-final must sign the same AuthMessage with ServerKey.
        let final = try ScramClientFinal(parsing: clientFinal)
        precondition(final.nonce == server.nonce && final.channelBinding == Array(first.gs2Header.utf8),
                     "authenticated a client-final with a foreign nonce or channel binding")
        let authMessage = Array("\(first.bare),\(server.serverFirst),\(final.withoutProof)".utf8)
        let clientKey = clientKeys[mechanism]!
        let signature = ScramCrypto.hmac(mechanism, key: ScramCrypto.hash(mechanism, clientKey), authMessage)
        precondition(final.proof == zip(clientKey, signature).map { $0 ^ $1 }, "authenticated a proof other than the password's")
        let serverSignature = ScramCrypto.hmac(mechanism, key: credential.serverKey, authMessage)
        precondition(serverFinal == "v=\(Data(serverSignature).base64EncodedString())", "the server-final signs something else")
        return .authenticated(first.username)
    }
}
