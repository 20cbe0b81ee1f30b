import Crypto
import Foundation
import SluiceKernel
import _CryptoExtras

/// RFC 5802's functions over swift-crypto: HMAC, H, Hi (PBKDF2) for one SCRAM mechanism.
public enum ScramCrypto {
    /// HMAC(key, data) with the mechanism's hash.
    public static func hmac(_ mechanism: ScramMechanism, key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: key)
        switch mechanism {
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: key))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: data, using: key))
        }
    }

    /// H(data) with the mechanism's hash.
    public static func hash(_ mechanism: ScramMechanism, _ data: [UInt8]) -> [UInt8] {
        switch mechanism {
        case .sha256: return Array(SHA256.hash(data: data))
        case .sha512: return Array(SHA512.hash(data: data))
        }
    }

    /// SaltedPassword = Hi(password, salt, iterations): PBKDF2 with the mechanism's HMAC,
    /// one digest long. Passwords are used as their UTF-8 bytes (not SASLprep'd, as Kafka).
    public static func saltedPassword(_ mechanism: ScramMechanism, password: [UInt8], salt: [UInt8],
                                      iterations: Int) -> [UInt8] {
        let function: KDF.Insecure.PBKDF2.HashFunction = mechanism == .sha256 ? .sha256 : .sha512
        // Only fails for a zero length or zero rounds, which callers never pass.
        let key = try! KDF.Insecure.PBKDF2.deriveKey(from: password, salt: salt, using: function,
                                                       outputByteCount: mechanism.keyBytes,
                                                       unsafeUncheckedRounds: max(1, iterations))
        return key.withUnsafeBytes { Array($0) }
    }

    /// The credential a server stores for `password`: a fresh 32-byte salt unless one is
    /// given, StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key").
    public static func credential(_ mechanism: ScramMechanism, password: String, iterations: Int = ScramMechanism.minIterations,
                                  salt: [UInt8]? = nil) -> ScramCredential {
        let salt = salt ?? randomBytes(32)
        let salted = saltedPassword(mechanism, password: Array(password.utf8), salt: salt, iterations: iterations)
        return credential(mechanism, saltedPassword: salted, salt: salt, iterations: iterations)
    }

    /// The credential for an already salted password (AlterUserScramCredentials sends one).
    public static func credential(_ mechanism: ScramMechanism, saltedPassword salted: [UInt8], salt: [UInt8],
                                  iterations: Int) -> ScramCredential {
        let clientKey = hmac(mechanism, key: salted, Array("Client Key".utf8))
        return ScramCredential(salt: salt, iterations: iterations, storedKey: hash(mechanism, clientKey),
                               serverKey: hmac(mechanism, key: salted, Array("Server Key".utf8)))
    }

    /// Whether `password` is the one `credential` was made from.
    public static func verify(_ mechanism: ScramMechanism, password: String, against credential: ScramCredential) -> Bool {
        let made = self.credential(mechanism, password: password, iterations: credential.iterations, salt: credential.salt)
        return constantTimeEqual(made.storedKey, credential.storedKey)
    }

    /// `count` bytes from the system's secure random generator.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Compares without stopping at the first difference, so timing tells nothing.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
