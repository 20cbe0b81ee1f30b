import Foundation
import SluiceKernel
@testable import SluiceSASL
import Testing

/// The server side of SCRAM against RFC 7677's example and the pitfalls other brokers hit
/// (docs: shared PITFALLS.md "SASL, SCRAM"): nonce and c= checks, escaping, iterations.
@Suite struct ScramServerTests {
    static let rfcSalt = Array(Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ==")!)
    static let rfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    static let rfcNonce = "rOprNGfwEbeRWgbNEkqO" + rfcServerNonce
    static let rfcFinal = "c=biws,r=\(rfcNonce),p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="

    static func rfcServer() throws -> ScramServer {
        let credential = ScramCrypto.credential(.sha256, password: "pencil", iterations: 4096, salt: rfcSalt)
        let first = try ScramClientFirst(parsing: Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8))
        return try ScramServer(mechanism: .sha256, clientFirst: first, credential: credential, serverNonce: rfcServerNonce)
    }

    @Test func followsRFC7677sExample() throws {
        let server = try Self.rfcServer()
        #expect(server.serverFirst == "r=\(Self.rfcNonce),s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        #expect(try server.serverFinal(for: Array(Self.rfcFinal.utf8)) == "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    }

    @Test func refusesAWrongProof() throws {
        let server = try Self.rfcServer()
        let wrong = "c=biws,r=\(Self.rfcNonce),p=" + Data(repeating: 7, count: 32).base64EncodedString()
        #expect(throws: SaslError.invalidCredentials) { try server.serverFinal(for: Array(wrong.utf8)) }
        let short = "c=biws,r=\(Self.rfcNonce),p=AAAA"
        #expect(throws: SaslError.invalidCredentials) { try server.serverFinal(for: Array(short.utf8)) }
    }

    /// CVE-2024-56128 / redpanda#3015: a client-final that echoes only the client's nonce.
    @Test func refusesAClientFinalWithoutTheServerNonce() throws {
        let server = try Self.rfcServer()
        let echoOnlyOwn = Self.rfcFinal.replacingOccurrences(of: Self.rfcNonce, with: "rOprNGfwEbeRWgbNEkqO")
        #expect(throws: SaslError.self) { try server.serverFinal(for: Array(echoOnlyOwn.utf8)) }
        let otherServerNonce = Self.rfcFinal.replacingOccurrences(of: "hNlF", with: "hNlG")
        #expect(throws: SaslError.self) { try server.serverFinal(for: Array(otherServerNonce.utf8)) }
    }

    @Test func refusesAChannelBindingOtherThanTheGs2Header() throws {
        let server = try Self.rfcServer()
        let yBinding = Self.rfcFinal.replacingOccurrences(of: "c=biws", with: "c=eSws")  // "y,,"
        #expect(throws: SaslError.self) { try server.serverFinal(for: Array(yBinding.utf8)) }
        let notBase64 = Self.rfcFinal.replacingOccurrences(of: "c=biws", with: "c=*")
        #expect(throws: SaslError.self) { try server.serverFinal(for: Array(notBase64.utf8)) }
    }

    @Test func refusesStoredIterationsBelow4096() throws {
        let weak = ScramCrypto.credential(.sha256, password: "pencil", iterations: 4095, salt: Self.rfcSalt)
        let first = try ScramClientFirst(parsing: Array("n,,n=user,r=abc".utf8))
        #expect(throws: SaslError.self) { try ScramServer(mechanism: .sha256, clientFirst: first, credential: weak) }
    }

    /// A whole SHA-512 exchange with a client computed here, random nonces and salt.
    @Test func completesASha512Exchange() throws {
        let credential = ScramCrypto.credential(.sha512, password: "s3cret,=pw", iterations: 4096)
        #expect(credential.storedKey.count == 64 && credential.serverKey.count == 64 && credential.salt.count == 32)
        let client = TestScramClient(mechanism: .sha512, username: "a,b=c", password: "s3cret,=pw")
        let first = try ScramClientFirst(parsing: Array(client.clientFirst.utf8))
        #expect(first.username == "a,b=c")
        let server = try ScramServer(mechanism: .sha512, clientFirst: first, credential: credential)
        #expect(server.nonce.hasPrefix(client.nonce) && server.nonce.count > client.nonce.count + 20)
        let (final, expectedServerFinal) = client.clientFinal(serverFirst: server.serverFirst)
        #expect(try server.serverFinal(for: Array(final.utf8)) == expectedServerFinal)

        let wrongPassword = TestScramClient(mechanism: .sha512, username: "a,b=c", password: "s3cret,=px")
        let server2 = try ScramServer(mechanism: .sha512, clientFirst: try ScramClientFirst(parsing: Array(wrongPassword.clientFirst.utf8)),
                                      credential: credential)
        #expect(throws: SaslError.invalidCredentials) {
            try server2.serverFinal(for: Array(wrongPassword.clientFinal(serverFirst: server2.serverFirst).0.utf8))
        }
    }

    @Test func verifiesPasswordsAgainstStoredKeysOnly() {
        let credential = ScramCrypto.credential(.sha256, password: "pencil")
        #expect(credential.iterations == 4096)
        #expect(ScramCrypto.verify(.sha256, password: "pencil", against: credential))
        #expect(!ScramCrypto.verify(.sha256, password: "pencil ", against: credential))
        let again = ScramCrypto.credential(.sha256, password: "pencil")
        #expect(again.salt != credential.salt && again.storedKey != credential.storedKey, "a fresh salt each time")
    }
}

/// The client side of SCRAM, written from RFC 5802 for the tests.
struct TestScramClient {
    var mechanism: ScramMechanism
    var username: String
    var password: String
    var nonce = Data(ScramCrypto.randomBytes(18)).base64EncodedString()

    var bare: String { "n=\(SaslName.escape(username)),r=\(nonce)" }
    var clientFirst: String { "n,," + bare }

    /// The client-final message and the server-final the client expects.
    func clientFinal(serverFirst: String) -> (String, String) {
        var fields: [String: String] = [:]
        for part in serverFirst.split(separator: ",") { fields[String(part.prefix(1))] = String(part.dropFirst(2)) }
        let salt = Array(Data(base64Encoded: fields["s"]!)!)
        let salted = ScramCrypto.saltedPassword(mechanism, password: Array(password.utf8), salt: salt, iterations: Int(fields["i"]!)!)
        let clientKey = ScramCrypto.hmac(mechanism, key: salted, Array("Client Key".utf8))
        let storedKey = ScramCrypto.hash(mechanism, clientKey)
        let withoutProof = "c=biws,r=\(fields["r"]!)"
        let authMessage = Array("\(bare),\(serverFirst),\(withoutProof)".utf8)
        let signature = ScramCrypto.hmac(mechanism, key: storedKey, authMessage)
        let proof = zip(clientKey, signature).map { $0 ^ $1 }
        let serverKey = ScramCrypto.hmac(mechanism, key: salted, Array("Server Key".utf8))
        let verifier = ScramCrypto.hmac(mechanism, key: serverKey, authMessage)
        return ("\(withoutProof),p=\(Data(proof).base64EncodedString())", "v=\(Data(verifier).base64EncodedString())")
    }
}
