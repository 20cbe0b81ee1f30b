import SluiceKernel

extension ScramCredentialSource {
    /// Whether `password` is `user`'s, checked against the user's strongest stored SCRAM
    /// credential (salted and hashed as SCRAM would, compared with the StoredKey): what
    /// SASL PLAIN and the console's login check, so no password is ever kept. An unknown
    /// user, or a store that cannot answer, is false; it never lets anyone in.
    public func verifyPassword(user: String, password: String) async -> Bool {
        for mechanism in ScramMechanism.allCases.reversed() {
            guard let credential = (try? await scramCredential(user: user, mechanism: mechanism)) ?? nil else { continue }
            return ScramCrypto.verify(mechanism, password: password, against: credential)
        }
        return false
    }
}
