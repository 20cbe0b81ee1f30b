import Foundation
import SluiceKernel

/// The client side of SCRAM (RFC 5802): tests drive the server with it, and a Kafka client
/// that authenticates (the CLI, broker-to-broker calls) can use it.
public struct ScramClient: Sendable {
    public let mechanism: ScramMechanism
    public let username: String
    let password: String
    /// The client's nonce (random unless given).
    public let nonce: String
    private var expectedServerFinal: String?

    public init(mechanism: ScramMechanism, username: String, password: String, nonce: String? = nil) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
        self.nonce = nonce ?? Data(ScramCrypto.randomBytes(18)).base64EncodedString()
    }

    var bare: String { "n=\(SaslName.escape(username)),r=\(nonce)" }
    /// `n,,n=<user>,r=<nonce>`.
    public var clientFirst: String { "n,," + bare }

    /// The client-final message for the server's first message; throws when it is
    /// malformed or its nonce does not start with this client's.
    public mutating func clientFinal(serverFirst: String) throws(SaslError) -> String {
        var fields: [String: String] = [:]
        for part in serverFirst.split(separator: ",") where part.count >= 2 {
            fields[String(part.prefix(1))] = String(part.dropFirst(2))
        }
        guard let combined = fields["r"], combined.hasPrefix(nonce), combined.count > nonce.count,
              let saltText = fields["s"], let salt = Data(base64Encoded: saltText),
              let iterationText = fields["i"], let iterations = Int(iterationText),
              (ScramMechanism.minIterations...ScramMechanism.maxIterations).contains(iterations) else {
            throw .malformed("server-first '\(serverFirst)'")
        }
        let salted = ScramCrypto.saltedPassword(mechanism, password: Array(password.utf8), salt: Array(salt), iterations: iterations)
        let clientKey = ScramCrypto.hmac(mechanism, key: salted, Array("Client Key".utf8))
        let storedKey = ScramCrypto.hash(mechanism, clientKey)
        let withoutProof = "c=biws,r=\(combined)"
        let authMessage = Array("\(bare),\(serverFirst),\(withoutProof)".utf8)
        let signature = ScramCrypto.hmac(mechanism, key: storedKey, authMessage)
        let proof = zip(clientKey, signature).map { $0 ^ $1 }
        let serverKey = ScramCrypto.hmac(mechanism, key: salted, Array("Server Key".utf8))
        expectedServerFinal = "v=\(Data(ScramCrypto.hmac(mechanism, key: serverKey, authMessage)).base64EncodedString())"
        return "\(withoutProof),p=\(Data(proof).base64EncodedString())"
    }

    /// Whether the server's final message proves it knows the credential.
    public func verify(serverFinal: String) -> Bool {
        guard let expectedServerFinal else { return false }
        return ScramCrypto.constantTimeEqual(Array(serverFinal.utf8), Array(expectedServerFinal.utf8))
    }
}
