import KafkaWire
import SluiceKernel

/// DescribeClientQuotas 0–1: the stored quotas of the entities that pass the filter
/// (exact name, default, or any name per entity type; `strict` leaves out entities that
/// name other types). `ip` entities are never stored here, so filtering on them finds none.
struct DescribeClientQuotasHandler: KafkaApiHandler {
    func handle(_ request: DescribeClientQuotasRequest, context: RequestContext) async -> DescribeClientQuotasResponse? {
        var response = DescribeClientQuotasResponse()
        guard await context.authorize(.cluster(.describeConfigs)) else {
            return .failed(.clusterAuthorizationFailed, "\(context.principal) may not describe client quotas: it needs DescribeConfigs on the cluster")
        }
        var components: [ClientQuotaFilterComponent] = []
        var onlyIP = false
        for component in request.components {
            guard !components.contains(where: { $0.entityType == component.entityType }) else {
                return .failed(.invalidRequest, "the filter names entity type '\(component.entityType)' twice")
            }
            let match: ClientQuotaFilterComponent.Match
            switch component.matchType {
            case DescribeClientQuotasRequest.Component.matchExact:
                guard let name = component.match else { return .failed(.invalidRequest, "an exact match needs a name to match") }
                match = .exact(name)
            case DescribeClientQuotasRequest.Component.matchDefault: match = .defaultName
            case DescribeClientQuotasRequest.Component.matchSpecified: match = .any
            default: return .failed(.invalidRequest, "unknown match type \(component.matchType) (0 exact, 1 default, 2 any)")
            }
            switch component.entityType {
            case ClientQuotaEntity.userType, ClientQuotaEntity.clientIdType: break
            case ClientQuotaWire.ipType: onlyIP = true
            default: return .failed(.invalidRequest, "unknown quota entity type '\(component.entityType)' (user, client-id, ip)")
            }
            components.append(ClientQuotaFilterComponent(entityType: component.entityType, match: match))
        }
        guard !onlyIP else { return response }
        do {
            for record in try await context.quotas.describe(components, strict: request.strict) {
                var entry = DescribeClientQuotasResponse.Entry()
                entry.entity = ClientQuotaWire.entityData(record.entity)
                entry.values = record.values.sorted { $0.key < $1.key }.map { .init(key: $0.key.rawValue, value: $0.value) }
                response.entries?.append(entry)
            }
        } catch {
            context.logger.warning("describe client quotas: \(error)")
            return .failed(.unknownServerError, "cannot read client quotas: \(error)")
        }
        return response
    }
}

/// AlterClientQuotas 0–1: sets or removes `producer_byte_rate`, `consumer_byte_rate` and
/// `request_percentage` of user / client-id entities (null names: the defaults), each
/// entity on its own; `validate_only` checks without storing. Unknown keys, `ip`
/// entities and non-positive values are INVALID_REQUEST.
struct AlterClientQuotasHandler: KafkaApiHandler {
    func handle(_ request: AlterClientQuotasRequest, context: RequestContext) async -> AlterClientQuotasResponse? {
        var response = AlterClientQuotasResponse()
        let allowed = await context.authorize(.cluster(.alterConfigs))
        for entry in request.entries {
            var result = AlterClientQuotasResponse.Entry()
            result.entity = entry.entity
            guard allowed else {
                result.errorCode = KafkaErrorCode.clusterAuthorizationFailed.rawValue
                result.errorMessage = "\(context.principal) may not alter client quotas: it needs AlterConfigs on the cluster"
                response.entries.append(result)
                continue
            }
            do throws(ClientQuotaWire.Refusal) {
                let entity = try ClientQuotaWire.entity(entry.entity)
                var changes: [ClientQuotaKey: Double?] = [:]
                for op in entry.ops {
                    guard let key = ClientQuotaKey(rawValue: op.key) else {
                        throw .init(message: "unknown quota key '\(op.key)' (producer_byte_rate, consumer_byte_rate, request_percentage)")
                    }
                    guard changes[key] == nil else { throw .init(message: "quota key '\(op.key)' is altered twice") }
                    changes[key] = .some(op.remove ? nil : op.value)
                }
                do {
                    try await context.quotas.alter(entity, set: changes, validateOnly: request.validateOnly)
                } catch let error as ClientQuotaError {
                    throw .init(message: error.description)
                } catch {
                    context.logger.warning("alter client quotas of \(entity): \(error)")
                    throw .init(code: .unknownServerError, message: "cannot store client quotas: \(error)")
                }
            } catch {
                result.errorCode = error.code.rawValue
                result.errorMessage = error.message
            }
            response.entries.append(result)
        }
        return response
    }
}

/// Entity conversions between the wire and the kernel.
enum ClientQuotaWire {
    static let ipType = "ip"

    struct Refusal: Error {
        var code = KafkaErrorCode.invalidRequest
        var message: String
    }

    static func entity(_ parts: [ClientQuotaEntityData]) throws(Refusal) -> ClientQuotaEntity {
        var entity = ClientQuotaEntity()
        for part in parts {
            let name: QuotaEntityName = part.entityName.map(QuotaEntityName.named) ?? .defaultName
            switch part.entityType {
            case ClientQuotaEntity.userType where entity.user == nil: entity.user = name
            case ClientQuotaEntity.clientIdType where entity.clientId == nil: entity.clientId = name
            case ClientQuotaEntity.userType, ClientQuotaEntity.clientIdType:
                throw Refusal(message: "the entity names type '\(part.entityType)' twice")
            case ipType: throw Refusal(message: "ip quotas (connection_creation_rate) are not supported; use user or client-id")
            default: throw Refusal(message: "unknown quota entity type '\(part.entityType)' (user, client-id)")
            }
        }
        guard !entity.isEmpty else { throw Refusal(message: ClientQuotaError.emptyEntity.description) }
        return entity
    }

    static func entityData(_ entity: ClientQuotaEntity) -> [ClientQuotaEntityData] {
        var parts: [ClientQuotaEntityData] = []
        if let user = entity.user { parts.append(.init(entityType: ClientQuotaEntity.userType, entityName: name(user))) }
        if let client = entity.clientId { parts.append(.init(entityType: ClientQuotaEntity.clientIdType, entityName: name(client))) }
        return parts
    }

    private static func name(_ name: QuotaEntityName) -> String? {
        if case .named(let text) = name { return text }
        return nil
    }
}

extension DescribeClientQuotasResponse {
    static func failed(_ code: KafkaErrorCode, _ message: String) -> Self {
        var response = Self()
        response.errorCode = code.rawValue
        response.errorMessage = message
        response.entries = nil
        return response
    }
}
