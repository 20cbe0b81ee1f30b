import KafkaWire

/// One part of a client quota entity as the admin calls name it: a user or client id,
/// `nil` name for that type's default.
public struct ClientQuotaEntityPart: Sendable, Equatable {
    /// `user` or `client-id`.
    public var type: String
    /// The name; `nil` for the type's default entity.
    public var name: String?

    public init(type: String, name: String?) {
        self.type = type
        self.name = name
    }
}

/// A filter component of DescribeClientQuotas.
public enum ClientQuotaMatch: Sendable, Equatable {
    /// Exactly this name.
    case exact(String)
    /// The type's default entity.
    case defaultName
    /// Any specified (non-default) name.
    case any
}

/// An entity and its quotas as DescribeClientQuotas reports them.
public struct DescribedClientQuota: Sendable, Equatable {
    public var entity: [ClientQuotaEntityPart]
    /// Quota key (`producer_byte_rate`, …) to value.
    public var values: [String: Double]
}

extension KafkaClient {
    /// The stored quotas of the entities matching every component (`strict`: only entities
    /// naming no other type). An empty filter that is not strict lists every entity.
    public func describeClientQuotas(_ components: [(type: String, match: ClientQuotaMatch)],
                                     strict: Bool = false) async throws -> [DescribedClientQuota] {
        var request = DescribeClientQuotasRequest()
        request.strict = strict
        request.components = components.map { component in
            switch component.match {
            case .exact(let name): .init(entityType: component.type, matchType: DescribeClientQuotasRequest.Component.matchExact, match: name)
            case .defaultName: .init(entityType: component.type, matchType: DescribeClientQuotasRequest.Component.matchDefault)
            case .any: .init(entityType: component.type, matchType: DescribeClientQuotasRequest.Component.matchSpecified)
            }
        }
        let response = try await send(request)
        try Self.check(response.errorCode, response.errorMessage, "describe client quotas")
        return (response.entries ?? []).map { entry in
            DescribedClientQuota(entity: entry.entity.map { ClientQuotaEntityPart(type: $0.entityType, name: $0.entityName) },
                                 values: Dictionary(entry.values.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }))
        }
    }

    /// Sets (`set`) and removes (`remove`) quotas of one entity; `validateOnly` checks
    /// without storing. Throws the broker's refusal.
    public func alterClientQuotas(entity: [ClientQuotaEntityPart], set: [String: Double], remove: [String] = [],
                                  validateOnly: Bool = false) async throws {
        var request = AlterClientQuotasRequest()
        request.validateOnly = validateOnly
        let ops = set.sorted { $0.key < $1.key }.map { AlterClientQuotasRequest.Op(key: $0.key, value: $0.value) }
            + remove.map { AlterClientQuotasRequest.Op(key: $0, value: 0, remove: true) }
        request.entries = [.init(entity: entity.map { ClientQuotaEntityData(entityType: $0.type, entityName: $0.name) }, ops: ops)]
        let response = try await send(request)
        for entry in response.entries {
            try Self.check(entry.errorCode, entry.errorMessage, "alter client quotas")
        }
    }
}
