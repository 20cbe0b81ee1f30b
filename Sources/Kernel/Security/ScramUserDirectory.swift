import Foundation

/// Users' SCRAM credentials as a protocol plugin administers them
/// (AlterUserScramCredentials, DescribeUserScramCredentials) and checks passwords
/// against them (`ScramCredentialSource`).
public protocol ScramUserAdministration: ScramCredentialSource {
    /// Stores `user`'s credential for `mechanism`, replacing any, durably.
    func setCredential(user: String, mechanism: ScramMechanism, _ credential: ScramCredential) async throws
    /// Removes `user`'s credential for `mechanism`; false when there was none.
    func deleteCredential(user: String, mechanism: ScramMechanism) async throws -> Bool
    /// Every user with a credential, sorted by name.
    func users() async throws -> [ScramUserRecord]
}

/// The kernel's users: credentials kept in the metadata store (SQLite on one node,
/// ZooKeeper in a cluster) behind a short cache, so an authentication costs no metadata
/// read while a client reconnects in a loop, and a user added or removed on another
/// node counts here within `cacheTTL`. Changes made through this directory count at once.
public actor ScramUserDirectory: ScramUserAdministration {
    private let store: any MetadataStore
    private let cacheTTL: Duration
    private let maxCachedEntries: Int
    private let clock = ContinuousClock()
    private struct Key: Hashable { var user: String, mechanism: ScramMechanism }
    private var cache: [Key: (credential: ScramCredential?, expires: ContinuousClock.Instant)] = [:]

    /// - Parameters:
    ///   - cacheTTL: how long a looked-up credential (or its absence) is reused; default 2 s,
    ///     the longest a change made on another node takes to count here.
    ///   - maxCachedEntries: entries kept at most (default 10 000); unknown user names a
    ///     client makes up cannot grow memory past it.
    public init(store: any MetadataStore, cacheTTL: Duration = .seconds(2), maxCachedEntries: Int = 10_000) {
        self.store = store
        self.cacheTTL = cacheTTL
        self.maxCachedEntries = maxCachedEntries
    }

    public func scramCredential(user: String, mechanism: ScramMechanism) async throws -> ScramCredential? {
        let key = Key(user: user, mechanism: mechanism), now = clock.now
        if let hit = cache[key], hit.expires > now { return hit.credential }
        let credential = try await store.scramCredential(user: user, mechanism: mechanism)
        if cache.count >= maxCachedEntries { cache.removeAll(keepingCapacity: true) }
        cache[key] = (credential, clock.now.advanced(by: cacheTTL))
        return credential
    }

    public func setCredential(user: String, mechanism: ScramMechanism, _ credential: ScramCredential) async throws {
        cache[Key(user: user, mechanism: mechanism)] = nil
        try await store.setScramCredential(user: user, mechanism: mechanism, credential)
        cache[Key(user: user, mechanism: mechanism)] = nil
    }

    public func deleteCredential(user: String, mechanism: ScramMechanism) async throws -> Bool {
        cache[Key(user: user, mechanism: mechanism)] = nil
        let deleted = try await store.deleteScramCredential(user: user, mechanism: mechanism)
        cache[Key(user: user, mechanism: mechanism)] = nil
        return deleted
    }

    public func users() async throws -> [ScramUserRecord] { try await store.scramUsers() }
}
