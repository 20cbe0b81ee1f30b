import SluiceKernel
import SluiceSASL

/// Checks a user's password against the SCRAM credentials the Kafka listener uses (the
/// metadata store's users), as SASL PLAIN does, so no password is ever kept.
struct PasswordCheck: Sendable {
    let credentials: any ScramCredentialSource

    /// The principal when `password` is `user`'s, nil otherwise (unknown user included).
    func principal(user: String, password: String) async -> Principal? {
        guard !user.isEmpty, !password.isEmpty else { return nil }
        return await credentials.verifyPassword(user: user, password: password) ? .user(user) : nil
    }
}
