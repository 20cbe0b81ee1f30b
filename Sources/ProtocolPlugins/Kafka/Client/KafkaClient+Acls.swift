import KafkaWire
import SluiceKernel

/// ACL administration over CreateAcls (30), DescribeAcls (29) and DeleteAcls (31), in the
/// kernel's ACL types.
extension KafkaClient {
    /// Stores `bindings`; fails on the first one the broker refuses (the others are stored).
    public func createAcls(_ bindings: [AclBinding]) async throws {
        var request = CreateAclsRequest()
        request.creations = bindings.map { binding in
            var creation = CreateAclsRequest.Creation()
            creation.resourceType = binding.pattern.resourceType.rawValue
            creation.resourceName = binding.pattern.name
            creation.resourcePatternType = binding.pattern.patternType.rawValue
            creation.principal = binding.entry.principal
            creation.host = binding.entry.host
            creation.operation = binding.entry.operation.rawValue
            creation.permissionType = binding.entry.permission.rawValue
            return creation
        }
        let response = try await send(request)
        for result in response.results { try Self.check(result.errorCode, result.errorMessage, "create ACLs") }
    }

    /// The stored ACLs `filter` matches.
    public func describeAcls(_ filter: AclBindingFilter) async throws -> [AclBinding] {
        var request = DescribeAclsRequest()
        request.resourceTypeFilter = filter.resourceType.rawValue
        request.resourceNameFilter = filter.resourceName
        request.patternTypeFilter = filter.patternType.rawValue
        request.principalFilter = filter.principal
        request.hostFilter = filter.host
        request.operation = filter.operation.rawValue
        request.permissionType = filter.permission.rawValue
        let response = try await send(request)
        try Self.check(response.errorCode, response.errorMessage, "describe ACLs")
        return response.resources.flatMap { resource in
            resource.acls.compactMap { acl -> AclBinding? in
                guard let type = AclResourceType(rawValue: resource.resourceType), let pattern = AclPatternType(rawValue: resource.patternType),
                      let operation = AclOperation(rawValue: acl.operation), let permission = AclPermissionType(rawValue: acl.permissionType)
                else { return nil }
                return AclBinding(AclResourcePattern(type, resource.resourceName, pattern),
                                  AclEntry(principal: acl.principal, host: acl.host, operation: operation, permission: permission))
            }
        }
    }

    /// Removes the ACLs `filter` matches; returns them.
    public func deleteAcls(_ filter: AclBindingFilter) async throws -> [AclBinding] {
        var wire = DeleteAclsRequest.Filter()
        wire.resourceTypeFilter = filter.resourceType.rawValue
        wire.resourceNameFilter = filter.resourceName
        wire.patternTypeFilter = filter.patternType.rawValue
        wire.principalFilter = filter.principal
        wire.hostFilter = filter.host
        wire.operation = filter.operation.rawValue
        wire.permissionType = filter.permission.rawValue
        var request = DeleteAclsRequest()
        request.filters = [wire]
        let response = try await send(request)
        var deleted: [AclBinding] = []
        for result in response.filterResults {
            try Self.check(result.errorCode, result.errorMessage, "delete ACLs")
            for acl in result.matchingAcls {
                guard let type = AclResourceType(rawValue: acl.resourceType), let pattern = AclPatternType(rawValue: acl.patternType),
                      let operation = AclOperation(rawValue: acl.operation), let permission = AclPermissionType(rawValue: acl.permissionType)
                else { continue }
                deleted.append(AclBinding(AclResourcePattern(type, acl.resourceName, pattern),
                                          AclEntry(principal: acl.principal, host: acl.host, operation: operation, permission: permission)))
            }
        }
        return deleted
    }
}
