import ConformanceKit
import Foundation
import SluiceKernel

/// Users' SCRAM credentials: per user and mechanism, exact bytes, names that need
/// escaping, removal of one mechanism and of the last one.
extension MetadataStoreConformance {
    static func sampleCredential(_ seed: UInt8, iterations: Int = 4096, keyBytes: Int = 64) -> ScramCredential {
        ScramCredential(salt: (0..<16).map { $0 &+ seed }, iterations: iterations,
                        storedKey: (0..<keyBytes).map { UInt8(truncatingIfNeeded: $0 * 3) &+ seed },
                        serverKey: (0..<keyBytes).map { UInt8(truncatingIfNeeded: 255 - $0) ^ seed })
    }

    func scramCredentials(_ store: any MetadataStore) async throws {
        let alice = "scram-alice", odd = "scram b,o=b/é*", a512 = Self.sampleCredential(1), a256 = Self.sampleCredential(2, keyBytes: 32)
        try conform(try await store.scramCredential(user: alice, mechanism: .sha512) == nil, "an unknown user has no credential")
        try await store.setScramCredential(user: alice, mechanism: .sha512, a512)
        try await store.setScramCredential(user: alice, mechanism: .sha256, a256)
        try await store.setScramCredential(user: odd, mechanism: .sha512, Self.sampleCredential(3, iterations: 8192))
        try conform(try await store.scramCredential(user: alice, mechanism: .sha512) == a512, "a credential round-trips exactly")
        try conform(try await store.scramCredential(user: alice, mechanism: .sha256) == a256, "each mechanism keeps its own credential")
        try conform(try await store.scramCredential(user: odd, mechanism: .sha512)?.iterations == 8192,
                    "a user name with ',', '=', '/', '*' and non-ASCII round-trips")
        let listed = try await store.scramUsers()
        try conform(listed.map(\.user) == [alice, odd].sorted(), "scramUsers() lists every user, sorted, got \(listed.map(\.user))")
        try conform(listed.first { $0.user == alice }?.credentials == [.sha512: a512, .sha256: a256], "a listing carries every mechanism")

        let replaced = Self.sampleCredential(9, iterations: 10_000)
        try await store.setScramCredential(user: alice, mechanism: .sha512, replaced)
        try conform(try await store.scramCredential(user: alice, mechanism: .sha512) == replaced, "setting again replaces the credential")
        try conform(try await store.scramCredential(user: alice, mechanism: .sha256) == a256, "replacing one mechanism keeps the other")

        try conform(try await store.deleteScramCredential(user: alice, mechanism: .sha256), "deleting a stored credential answers true")
        try conform(!(try await store.deleteScramCredential(user: alice, mechanism: .sha256)), "deleting it again answers false")
        try conform(!(try await store.deleteScramCredential(user: "scram-nobody", mechanism: .sha512)), "deleting for an unknown user answers false")
        try conform(try await store.scramCredential(user: alice, mechanism: .sha256) == nil, "a deleted credential is gone")
        try await store.deleteScramCredential(user: odd, mechanism: .sha512)
        try conform(try await store.scramUsers().map(\.user) == [alice], "a user without any credential left is not listed")
    }

    func reopenKeepsScramCredentials() async throws {
        let credential = Self.sampleCredential(7)
        try await withStore { store in try await store.setScramCredential(user: "scram-reopen", mechanism: .sha512, credential) }
        try await withStore { store in
            let got = try await store.scramCredential(user: "scram-reopen", mechanism: .sha512)
            try conform(got == credential, "SCRAM credentials must survive a reopen, got \(String(describing: got))")
        }
    }
}
