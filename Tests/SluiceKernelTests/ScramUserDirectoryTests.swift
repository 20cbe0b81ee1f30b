import Foundation
import SluiceKernel
import SluiceMemory
import Testing

@Suite("Users' SCRAM credentials behind the kernel's cache")
struct ScramUserDirectoryTests {
    private func credential(_ seed: UInt8) -> ScramCredential {
        ScramCredential(salt: Array(repeating: seed, count: 16), iterations: 4096,
                        storedKey: Array(repeating: seed &+ 1, count: 64), serverKey: Array(repeating: seed &+ 2, count: 64))
    }

    @Test func changesThroughTheDirectoryCountAtOnce() async throws {
        let store = MemoryMetadataStore()
        let users = ScramUserDirectory(store: store, cacheTTL: .seconds(3600))
        #expect(try await users.scramCredential(user: "alice", mechanism: .sha512) == nil, "unknown at first (and that absence is cached)")
        try await users.setCredential(user: "alice", mechanism: .sha512, credential(1))
        #expect(try await users.scramCredential(user: "alice", mechanism: .sha512) == credential(1), "a new user counts at once despite the cached absence")
        #expect(try await store.scramCredential(user: "alice", mechanism: .sha512) == credential(1), "stored in the metadata store")
        #expect(try await users.users().map(\.user) == ["alice"])
        #expect(try await users.deleteCredential(user: "alice", mechanism: .sha512))
        #expect(try await users.scramCredential(user: "alice", mechanism: .sha512) == nil, "a deleted user cannot log in any more")
        #expect(try await !users.deleteCredential(user: "alice", mechanism: .sha512))
    }

    @Test func anotherNodesChangeCountsOnceTheCacheExpires() async throws {
        let store = MemoryMetadataStore()
        let users = ScramUserDirectory(store: store, cacheTTL: .milliseconds(50))
        #expect(try await users.scramCredential(user: "bob", mechanism: .sha256) == nil)
        // Another node's write: straight into the shared store, past this directory.
        try await store.setScramCredential(user: "bob", mechanism: .sha256, credential(2))
        var seen: ScramCredential?
        for _ in 0..<200 where seen == nil {
            seen = try await users.scramCredential(user: "bob", mechanism: .sha256)
            if seen == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(seen == credential(2), "seen within the cache's lifetime")
        try await store.deleteScramCredential(user: "bob", mechanism: .sha256)
        var gone = false
        for _ in 0..<200 where !gone {
            gone = try await users.scramCredential(user: "bob", mechanism: .sha256) == nil
            if !gone { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(gone, "a user deleted on another node stops authenticating")
    }

    @Test func aBrokersProtocolServicesCheckTheStoredUsers() async throws {
        let store = MemoryMetadataStore()
        let broker = try await makeBroker(metadata: store)
        let services = ProtocolServices(broker: broker)
        try await store.setScramCredential(user: "carol", mechanism: .sha512, credential(3))
        #expect(try await services.credentials.scramCredential(user: "carol", mechanism: .sha512) == credential(3),
                "what an authenticating listener checks is the metadata store's users")
        #expect(try await services.credentials.scramCredential(user: "carol", mechanism: .sha256) == nil, "per mechanism")
        try await services.users?.setCredential(user: "dave", mechanism: .sha256, credential(4))
        #expect(try await store.scramCredential(user: "dave", mechanism: .sha256) == credential(4), "administration writes the store")
        await broker.shutdown()
    }
}
