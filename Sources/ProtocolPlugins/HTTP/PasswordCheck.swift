import SluiceKernel
import SluiceSASL

/// Checks a user's password against the SCRAM credentials the Kafka listener uses (the
/// metadata store's users): the password is salted and hashed as SCRAM would and
/// compared with the StoredKey, so no password is ever kept.
struct PasswordCheck: Sendable {
    let credentials: any ScramCredentialSource

    /// The principal when `password` is `user`'s, nil otherwise (unknown user included).
    func principal(user: String, password: String) async -> Principal? {
        guard !user.isEmpty, !password.isEmpty else { return nil }
        for mechanism in ScramMechanism.allCases.reversed() {
            guard let credential = (try? await credentials.scramCredential(user: user, mechanism: mechanism)) ?? nil else { continue }
            return ScramCrypto.verify(mechanism, password: password, against: credential) ? .user(user) : nil
        }
        return nil
    }
}
