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
        var client = ScramClient(mechanism: .sha512, username: "a,b=c", password: "s3cret,=pw")
        let first = try ScramClientFirst(parsing: Array(client.clientFirst.utf8))
        #expect(first.username == "a,b=c")
        let server = try ScramServer(mechanism: .sha512, clientFirst: first, credential: credential)
        #expect(server.nonce.hasPrefix(client.nonce) && server.nonce.count > client.nonce.count + 20)
        let final = try client.clientFinal(serverFirst: server.serverFirst)
        #expect(client.verify(serverFinal: try server.serverFinal(for: Array(final.utf8))))
        #expect(!client.verify(serverFinal: "v=AAAA"))

        var wrongPassword = ScramClient(mechanism: .sha512, username: "a,b=c", password: "s3cret,=px")
        let server2 = try ScramServer(mechanism: .sha512, clientFirst: try ScramClientFirst(parsing: Array(wrongPassword.clientFirst.utf8)),
                                      credential: credential)
        let wrongFinal = try wrongPassword.clientFinal(serverFirst: server2.serverFirst)
        #expect(throws: SaslError.invalidCredentials) { try server2.serverFinal(for: Array(wrongFinal.utf8)) }
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

