import Foundation
import SluiceKernel

/// The server side of one SCRAM exchange (RFC 5802, RFC 7677), sans-io: the caller parses
/// the client-first, looks the user's credential up, then calls `serverFirst` and
/// `serverFinal`. Checks what CVE-2024-56128 was about: client-final's nonce must be the
/// client's plus the server's, and `c=` must repeat the gs2 header.
public struct ScramServer: Sendable {
    public let mechanism: ScramMechanism
    public let clientFirst: ScramClientFirst
    let credential: ScramCredential
    /// The full nonce: the client's followed by the server's.
    public let nonce: String
    /// `r=…,s=…,i=…`.
    public let serverFirst: String

    /// Starts the exchange for a parsed client-first. `serverNonce` is random (24 bytes,
    /// base64) unless a test fixes it. Throws when the stored iteration count is out of range.
    public init(mechanism: ScramMechanism, clientFirst: ScramClientFirst, credential: ScramCredential,
                serverNonce: String? = nil) throws(SaslError) {
        guard credential.iterations >= ScramMechanism.minIterations else {
            throw .unsupported("the stored credential has \(credential.iterations) iterations, below \(ScramMechanism.minIterations)")
        }
        self.mechanism = mechanism
        self.clientFirst = clientFirst
        self.credential = credential
        nonce = clientFirst.nonce + (serverNonce ?? Data(ScramCrypto.randomBytes(24)).base64EncodedString())
        serverFirst = "r=\(nonce),s=\(Data(credential.salt).base64EncodedString()),i=\(credential.iterations)"
    }

    /// Verifies the client-final message and returns the server-final `v=…`; throws
    /// `.invalidCredentials` for a wrong proof and `.malformed` for a wrong nonce or `c=`.
    public func serverFinal(for bytes: [UInt8]) throws(SaslError) -> String {
        let final = try ScramClientFinal(parsing: bytes)
        guard final.channelBinding == Array(clientFirst.gs2Header.utf8) else {
            throw .malformed("c= must be the base64 of the gs2 header '\(clientFirst.gs2Header)'")
        }
        guard final.nonce == nonce else { throw .malformed("the nonce is not the client's and the server's") }
        let authMessage = Array("\(clientFirst.bare),\(serverFirst),\(final.withoutProof)".utf8)
        let clientSignature = ScramCrypto.hmac(mechanism, key: credential.storedKey, authMessage)
        guard final.proof.count == clientSignature.count else { throw .invalidCredentials }
        let clientKey = zip(final.proof, clientSignature).map { $0 ^ $1 }
        guard ScramCrypto.constantTimeEqual(ScramCrypto.hash(mechanism, clientKey), credential.storedKey) else {
            throw .invalidCredentials
        }
        let serverSignature = ScramCrypto.hmac(mechanism, key: credential.serverKey, authMessage)
        return "v=\(Data(serverSignature).base64EncodedString())"
    }
}
