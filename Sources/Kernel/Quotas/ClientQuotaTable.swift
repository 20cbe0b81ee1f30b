/// Which stored quota applies to a client, resolved with Kafka's precedence (most
/// specific first), one quota key at a time:
///
/// 1. user + client id, 2. user + default client id, 3. user,
/// 4. default user + client id, 5. default user + default client id, 6. default user,
/// 7. client id, 8. default client id.
public struct ClientQuotaTable: Sendable, Equatable {
    public private(set) var entries: [ClientQuotaEntity: [ClientQuotaKey: Double]]

    public init(_ records: [ClientQuotaRecord] = []) {
        entries = [:]
        for record in records where !record.values.isEmpty { entries[record.entity] = record.values }
    }

    /// True when no entity has any quota (requests skip metering then).
    public var isEmpty: Bool { entries.isEmpty }

    /// The quota `key` of a client with this user (principal name) and client id, and the
    /// meter its usage is counted on; nil when no entity sets `key`.
    public func quota(_ key: ClientQuotaKey, user: String, clientId: String) -> AppliedClientQuota? {
        for entity in Self.precedence(user: user, clientId: clientId) {
            guard let bound = entries[entity]?[key] else { continue }
            // Clients matched through a default share the limit per distinct user/client
            // id, as Kafka's sensors are tagged with the names the entity types stand for.
            let meter = ClientQuotaMeter(user: entity.user == nil ? "" : user, clientId: entity.clientId == nil ? "" : clientId)
            return AppliedClientQuota(bound: bound, meter: meter, entity: entity)
        }
        return nil
    }

    /// The entities that could apply to a client, most specific first.
    public static func precedence(user: String, clientId: String) -> [ClientQuotaEntity] {
        let u = QuotaEntityName.named(user), c = QuotaEntityName.named(clientId)
        return [
            .init(user: u, clientId: c), .init(user: u, clientId: .defaultName), .init(user: u),
            .init(user: .defaultName, clientId: c), .init(user: .defaultName, clientId: .defaultName), .init(user: .defaultName),
            .init(clientId: c), .init(clientId: .defaultName),
        ]
    }
}

/// Where a client's usage is counted: clients with equal meters share one rate.
public struct ClientQuotaMeter: Hashable, Sendable {
    /// The user name, or "" when the quota's entity does not name users.
    public var user: String
    /// The client id, or "" when the quota's entity does not name client ids.
    public var clientId: String
}

/// A quota that applies to one client.
public struct AppliedClientQuota: Sendable, Equatable {
    /// The limit: bytes per second, or percent of one handler thread.
    public var bound: Double
    public var meter: ClientQuotaMeter
    /// The stored entity the bound comes from.
    public var entity: ClientQuotaEntity
}

/// One component of a DescribeClientQuotas filter.
public struct ClientQuotaFilterComponent: Sendable, Equatable {
    public enum Match: Sendable, Equatable {
        /// This exact name.
        case exact(String)
        /// The type's default entity.
        case defaultName
        /// Any entity that names this type (named or default).
        case any
    }

    /// `user` or `client-id`.
    public var entityType: String
    public var match: Match

    public init(entityType: String, match: Match) {
        self.entityType = entityType
        self.match = match
    }
}

extension ClientQuotaEntity {
    /// Whether this entity passes a DescribeClientQuotas filter: every component must
    /// match the entity's part of its type; with `strict`, the entity may name no other type.
    public func matches(_ components: [ClientQuotaFilterComponent], strict: Bool) -> Bool {
        var named: Set<String> = []
        for component in components {
            let part: QuotaEntityName?
            switch component.entityType {
            case Self.userType: part = user
            case Self.clientIdType: part = clientId
            default: return false
            }
            guard let part else { return false }
            switch component.match {
            case .exact(let name): guard part == .named(name) else { return false }
            case .defaultName: guard part == .defaultName else { return false }
            case .any: break
            }
            named.insert(component.entityType)
        }
        if strict {
            if user != nil && !named.contains(Self.userType) { return false }
            if clientId != nil && !named.contains(Self.clientIdType) { return false }
        }
        return true
    }
}
