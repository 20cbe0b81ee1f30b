import ConformanceKit
import Foundation
import SluiceKernel

/// ACLs: add (idempotent), list sorted, delete by filter returning what went, reopen.
extension MetadataStoreConformance {
    func aclStorage(_ store: any MetadataStore) async throws {
        let readTopic = AclBinding(AclResourcePattern(.topic, "acl-orders"), AclEntry(principal: "User:CN=alice,O=Test", operation: .read, permission: .allow))
        let denyPrefix = AclBinding(AclResourcePattern(.topic, "acl-pay/", .prefixed), AclEntry(principal: "User:*", host: "10.0.0.7", operation: .all, permission: .deny))
        let group = AclBinding(AclResourcePattern(.group, "acl-group.1"), AclEntry(principal: "User:bob", operation: .read, permission: .allow))
        let cluster = AclBinding(AclResourcePattern(.cluster, "kafka-cluster"), AclEntry(principal: "User:bob", operation: .alterConfigs, permission: .allow))
        try await store.addAcls([readTopic, denyPrefix, group])
        try await store.addAcls([group, cluster])
        let mine: @Sendable (AclBinding) -> Bool = { [readTopic, denyPrefix, group, cluster].contains($0) }
        let listed = try await store.acls().filter(mine)
        try conform(listed == [readTopic, denyPrefix, group, cluster].sorted(), "acls() lists every ACL once, sorted, got \(listed)")

        let deleted = try await store.deleteAcls(matching: [AclBindingFilter(resourceType: .topic, resourceName: "acl-pay/x", patternType: .match)])
        try conform(deleted == [denyPrefix], "a MATCH filter deletes the prefixed ACL covering the name, got \(deleted)")
        let none = try await store.deleteAcls(matching: [AclBindingFilter(resourceType: .topic, resourceName: "acl-orders", patternType: .literal, permission: .deny)])
        try conform(none.isEmpty, "a filter matching nothing deletes nothing, got \(none)")
        try conform(try await store.acls().filter(mine) == [readTopic, group, cluster].sorted(), "only the matched ACL is gone")
        let rest = try await store.deleteAcls(matching: [AclBindingFilter(principal: "User:bob"), AclBindingFilter(resourceName: "acl-orders")])
        try conform(rest == [readTopic, group, cluster].sorted(), "several filters delete the union, got \(rest)")
        try conform(try await store.acls().filter(mine).isEmpty, "deleted ACLs are gone")
    }

    func reopenKeepsAcls() async throws {
        let binding = AclBinding(AclResourcePattern(.transactionalId, "acl-tx-", .prefixed), AclEntry(principal: "User:carol", operation: .write, permission: .allow))
        try await withStore { store in try await store.addAcls([binding]) }
        try await withStore { store in
            try conform(try await store.acls().contains(binding), "ACLs must survive a reopen")
            _ = try await store.deleteAcls(matching: [AclBindingFilter(resourceType: .transactionalId, resourceName: "acl-tx-", patternType: .prefixed)])
        }
    }
}
