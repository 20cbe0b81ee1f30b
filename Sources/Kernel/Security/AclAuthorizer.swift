import Foundation
import Logging

/// The kernel's authorizer: Kafka's ACL model (see `AclTable` for the rules) over the
/// ACLs of the metadata store, reloaded every `refreshMs` so that in a cluster every
/// broker sees another broker's change within seconds, and at once after a change made
/// here. Also the ACL administration CreateAcls/DescribeAcls/DeleteAcls drive.
public actor AclAuthorizer: Authorizer, AclAdministration {
    /// Super users, the no-ACL rule and the reload interval.
    public struct Configuration: Sendable, Equatable {
        /// Principals that may do everything, whatever the ACLs say (Kafka's `super.users`).
        public var superUsers: Set<Principal> = []
        /// Whether a resource no ACL applies to is open to everyone (Kafka's
        /// `allow.everyone.if.no.acl.found`). Default false.
        public var allowEveryoneIfNoAclFound = false
        /// How often the stored ACLs are reloaded, in ms. Default 2,000.
        public var refreshMs: Int64 = 2000

        public init(superUsers: Set<Principal> = [], allowEveryoneIfNoAclFound: Bool = false, refreshMs: Int64 = 2000) {
            self.superUsers = superUsers
            self.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound
            self.refreshMs = refreshMs
        }
    }

    public nonisolated let configuration: Configuration
    private let store: (any MetadataStore)?
    private let logger: Logger
    private var table = AclTable()
    private var loadedAt: ContinuousClock.Instant?
    private var reloading = false

    /// - Parameter store: where ACLs are kept; nil keeps them in memory only (tests).
    public init(store: (any MetadataStore)?, configuration: Configuration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: Decisions

    public func authorize(_ context: AuthorizationContext, _ actions: [AuthorizationAction]) async -> [Bool] {
        refreshIfDue()
        if configuration.superUsers.contains(context.principal) || (table.isEmpty && configuration.allowEveryoneIfNoAclFound) {
            return Array(repeating: true, count: actions.count)
        }
        let principal = context.principal.description
        return actions.map {
            table.allows($0, principal: principal, host: context.host, allowEveryoneIfNoAclFound: configuration.allowEveryoneIfNoAclFound)
        }
    }

    public func authorizeAny(_ context: AuthorizationContext, _ operation: AclOperation, _ resourceType: AclResourceType) async -> Bool {
        refreshIfDue()
        if configuration.superUsers.contains(context.principal) { return true }
        return table.allowsSome(operation, resourceType, principal: context.principal.description, host: context.host,
                                allowEveryoneIfNoAclFound: configuration.allowEveryoneIfNoAclFound)
    }

    // MARK: Administration

    public func createAcls(_ bindings: [AclBinding]) async throws {
        for binding in bindings { try binding.validate() }
        guard !bindings.isEmpty else { return }
        if let store {
            try await store.addAcls(bindings)
            try await reload()
        } else {
            table = AclTable(Array(Set(table.bindings).union(bindings)))
        }
    }

    public func deleteAcls(_ filters: [AclBindingFilter]) async throws -> [[AclBinding]] {
        let deleted: [AclBinding]
        if let store {
            deleted = try await store.deleteAcls(matching: filters)
            try await reload()
        } else {
            deleted = table.bindings.filter { binding in filters.contains { $0.matches(binding) } }
            table = AclTable(Array(Set(table.bindings).subtracting(deleted)))
        }
        return filters.map { filter in deleted.filter(filter.matches).sorted() }
    }

    public func describeAcls(_ filter: AclBindingFilter) async throws -> [AclBinding] {
        if store != nil { try await reload() }
        return table.bindings.filter(filter.matches)
    }

    /// Reloads the stored ACLs now.
    public func reload() async throws {
        guard let store else { return }
        table = AclTable(try await store.acls())
        loadedAt = .now
    }

    /// Starts a reload in the background when the last one is older than `refreshMs`;
    /// requests never wait for the store.
    private func refreshIfDue() {
        guard store != nil, !reloading else { return }
        if let loadedAt, ContinuousClock.now - loadedAt < .milliseconds(configuration.refreshMs) { return }
        reloading = true
        loadedAt = .now
        Task { await self.backgroundReload() }
    }

    private func backgroundReload() async {
        defer { reloading = false }
        do {
            try await reload()
        } catch {
            logger.warning("ACLs: cannot reload from the metadata store, keeping the last ones: \(error)")
        }
    }
}
