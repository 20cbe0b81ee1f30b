import KafkaWire
import SluiceKernel

/// DescribeAcls 0–3: the stored ACLs a filter matches, grouped by resource pattern.
/// Needs Describe on the cluster, as in Kafka.
struct DescribeAclsHandler: KafkaApiHandler {
    func handle(_ request: DescribeAclsRequest, context: RequestContext) async -> DescribeAclsResponse? {
        var response = DescribeAclsResponse()
        func fail(_ code: KafkaErrorCode, _ message: String) -> DescribeAclsResponse {
            response.errorCode = code.rawValue
            response.errorMessage = message
            return response
        }
        guard await context.authorize(.cluster(.describe)) else {
            return fail(.clusterAuthorizationFailed, "\(context.principal) may not describe ACLs: it needs Describe on the cluster")
        }
        guard let acls = context.services.acls else { return fail(.securityDisabled, "this broker keeps no ACLs") }
        let filter: AclBindingFilter
        do throws(AclWire.Refusal) {
            filter = try AclWire.filter(type: request.resourceTypeFilter, name: request.resourceNameFilter, pattern: request.patternTypeFilter,
                                        principal: request.principalFilter, host: request.hostFilter,
                                        operation: request.operation, permission: request.permissionType)
        } catch {
            return fail(.invalidRequest, error.message)
        }
        do {
            let found = try await acls.describeAcls(filter)
            var byPattern: [AclResourcePattern: [AclEntry]] = [:]
            for binding in found { byPattern[binding.pattern, default: []].append(binding.entry) }
            response.resources = byPattern.sorted { $0.key < $1.key }.map { pattern, entries in
                var resource = DescribeAclsResponse.Resource()
                resource.resourceType = pattern.resourceType.rawValue
                resource.resourceName = pattern.name
                resource.patternType = pattern.patternType.rawValue
                resource.acls = entries.map {
                    var acl = DescribeAclsResponse.AclDescription()
                    acl.principal = $0.principal
                    acl.host = $0.host
                    acl.operation = $0.operation.rawValue
                    acl.permissionType = $0.permission.rawValue
                    return acl
                }
                return resource
            }
        } catch {
            context.logger.warning("describe ACLs: \(error)")
            return fail(.unknownServerError, "cannot read ACLs: \(error)")
        }
        return response
    }
}

/// CreateAcls 0–3: stores ACLs, each answered on its own (an invalid one is
/// INVALID_REQUEST and the valid ones are stored). Needs Alter on the cluster.
struct CreateAclsHandler: KafkaApiHandler {
    func handle(_ request: CreateAclsRequest, context: RequestContext) async -> CreateAclsResponse? {
        var response = CreateAclsResponse()
        func result(_ code: KafkaErrorCode, _ message: String?) -> CreateAclsResponse.Result {
            var result = CreateAclsResponse.Result()
            result.errorCode = code.rawValue
            result.errorMessage = message
            return result
        }
        let refusal: (KafkaErrorCode, String)?
        if !(await context.authorize(.cluster(.alter))) {
            refusal = (.clusterAuthorizationFailed, "\(context.principal) may not create ACLs: it needs Alter on the cluster")
        } else if context.services.acls == nil {
            refusal = (.securityDisabled, "this broker keeps no ACLs")
        } else {
            refusal = nil
        }
        if let refusal {
            response.results = request.creations.map { _ in result(refusal.0, refusal.1) }
            return response
        }
        var valid: [(index: Int, binding: AclBinding)] = []
        response.results = request.creations.enumerated().map { index, creation in
            do {
                let binding = try AclWire.binding(creation)
                valid.append((index, binding))
                return result(.none, nil)
            } catch {
                return result(.invalidRequest, "\(error)")
            }
        }
        do {
            try await context.services.acls?.createAcls(valid.map(\.binding))
        } catch {
            context.logger.warning("create ACLs: \(error)")
            for (index, _) in valid { response.results[index] = result(.unknownServerError, "cannot store ACLs: \(error)") }
        }
        return response
    }
}

/// DeleteAcls 0–3: removes the ACLs each filter matches and lists them per filter.
/// Needs Alter on the cluster.
struct DeleteAclsHandler: KafkaApiHandler {
    func handle(_ request: DeleteAclsRequest, context: RequestContext) async -> DeleteAclsResponse? {
        var response = DeleteAclsResponse()
        func failed(_ code: KafkaErrorCode, _ message: String) -> DeleteAclsResponse.FilterResult {
            var result = DeleteAclsResponse.FilterResult()
            result.errorCode = code.rawValue
            result.errorMessage = message
            return result
        }
        guard await context.authorize(.cluster(.alter)) else {
            response.filterResults = request.filters.map { _ in failed(.clusterAuthorizationFailed, "\(context.principal) may not delete ACLs: it needs Alter on the cluster") }
            return response
        }
        guard let acls = context.services.acls else {
            response.filterResults = request.filters.map { _ in failed(.securityDisabled, "this broker keeps no ACLs") }
            return response
        }
        var filters: [Int: AclBindingFilter] = [:]
        response.filterResults = request.filters.enumerated().map { index, wire in
            do throws(AclWire.Refusal) {
                filters[index] = try AclWire.filter(type: wire.resourceTypeFilter, name: wire.resourceNameFilter, pattern: wire.patternTypeFilter,
                                                    principal: wire.principalFilter, host: wire.hostFilter,
                                                    operation: wire.operation, permission: wire.permissionType)
                return DeleteAclsResponse.FilterResult()
            } catch {
                return failed(.invalidRequest, error.message)
            }
        }
        let order = filters.keys.sorted()
        do {
            let deleted = try await acls.deleteAcls(order.map { filters[$0]! })
            for (index, bindings) in zip(order, deleted) {
                response.filterResults[index].matchingAcls = bindings.map { binding in
                    var acl = DeleteAclsResponse.MatchingAcl()
                    acl.resourceType = binding.pattern.resourceType.rawValue
                    acl.resourceName = binding.pattern.name
                    acl.patternType = binding.pattern.patternType.rawValue
                    acl.principal = binding.entry.principal
                    acl.host = binding.entry.host
                    acl.operation = binding.entry.operation.rawValue
                    acl.permissionType = binding.entry.permission.rawValue
                    return acl
                }
            }
        } catch {
            context.logger.warning("delete ACLs: \(error)")
            for index in order { response.filterResults[index] = failed(.unknownServerError, "cannot delete ACLs: \(error)") }
        }
        return response
    }
}

/// The wire's numbers as the kernel's ACL types.
enum AclWire {
    struct Refusal: Error {
        var message: String
    }

    static func filter(type: Int8, name: String?, pattern: Int8, principal: String?, host: String?,
                       operation: Int8, permission: Int8) throws(Refusal) -> AclBindingFilter {
        guard let type = AclResourceType(rawValue: type), type != .unknown else { throw Refusal(message: "unknown resource type \(type)") }
        guard let pattern = AclPatternType(rawValue: pattern), pattern != .unknown else { throw Refusal(message: "unknown pattern type \(pattern)") }
        guard let operation = AclOperation(rawValue: operation), operation != .unknown else { throw Refusal(message: "unknown operation \(operation)") }
        guard let permission = AclPermissionType(rawValue: permission), permission != .unknown else { throw Refusal(message: "unknown permission type \(permission)") }
        return AclBindingFilter(resourceType: type, resourceName: name, patternType: pattern, principal: principal, host: host,
                                operation: operation, permission: permission)
    }

    static func binding(_ creation: CreateAclsRequest.Creation) throws(AclError) -> AclBinding {
        guard let type = AclResourceType(rawValue: creation.resourceType),
              let pattern = AclPatternType(rawValue: creation.resourcePatternType),
              let operation = AclOperation(rawValue: creation.operation),
              let permission = AclPermissionType(rawValue: creation.permissionType)
        else { throw .invalid("unknown resource type, pattern type, operation or permission number") }
        let binding = AclBinding(AclResourcePattern(type, creation.resourceName, pattern),
                                 AclEntry(principal: creation.principal, host: creation.host, operation: operation, permission: permission))
        try binding.validate()
        return binding
    }
}
