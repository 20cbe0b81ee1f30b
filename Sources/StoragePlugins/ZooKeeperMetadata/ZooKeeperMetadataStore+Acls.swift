import Foundation
import SluiceKernel

/// ACLs in Kafka's ZooKeeper layout (`/kafka-acl/<Type>/<name>` for literal patterns,
/// `/kafka-acl-extended/prefixed/<Type>/<prefix>` for prefixed ones), one znode per
/// resource pattern changed with versioned writes. Every broker reloads them every few
/// seconds, so a change made through any broker applies everywhere within seconds.
extension ZooKeeperMetadataStore {
    /// The JSON of one ACL znode, with Kafka's field names and values.
    struct AclNode: Codable {
        struct Entry: Codable, Hashable {
            var principal: String
            var host: String
            var operation: String
            var permissionType: String
        }
        var version = 1
        var acls: [Entry]
    }

    public func addAcls(_ bindings: [AclBinding]) async throws {
        let byPattern = Dictionary(grouping: bindings, by: \.pattern)
        try await metadata {
            for (pattern, added) in byPattern {
                try await client.ensurePath(ZNodeLayout.aclDirectory(pattern.resourceType, pattern.patternType))
                try await updateAcls(pattern) { $0.union(added.map(\.entry)) }
            }
        }
    }

    public func deleteAcls(matching filters: [AclBindingFilter]) async throws -> [AclBinding] {
        try await metadata {
            let doomed = try await readAllAcls().filter { binding in filters.contains { $0.matches(binding) } }
            var deleted: [AclBinding] = []
            for (pattern, _) in Dictionary(grouping: doomed, by: \.pattern) {
                let gone = try await updateAcls(pattern) { entries in
                    entries.filter { entry in !filters.contains { $0.matches(AclBinding(pattern, entry)) } }
                }
                deleted += gone.map { AclBinding(pattern, $0) }
            }
            return deleted.sorted()
        }
    }

    public func acls() async throws -> [AclBinding] {
        try await metadata { try await readAllAcls() }
    }

    private func readAllAcls() async throws -> [AclBinding] {
        var found: [AclBinding] = []
        for patternType in [AclPatternType.literal, .prefixed] {
            for type in AclResourceType.allCases where ![.any, .unknown].contains(type) {
                let directory = ZNodeLayout.aclDirectory(type, patternType)
                guard try await client.exists(directory) != nil else { continue }
                for segment in try await client.children(directory) {
                    let pattern = AclResourcePattern(type, ZNodeLayout.decode(segment), patternType)
                    let path = ZNodeLayout.acls(pattern)
                    guard let node = try await client.getIfExists(path) else { continue }
                    found += Self.entries(try ZNodeJSON.decode(AclNode.self, node.bytes, path: path)).map { AclBinding(pattern, $0) }
                }
            }
        }
        return found.sorted()
    }

    /// Rewrites the entries of one pattern with a versioned write (deleting the znode when
    /// none is left), retrying when another writer got there first; returns the entries removed.
    @discardableResult
    private func updateAcls(_ pattern: AclResourcePattern, _ change: (Set<AclEntry>) -> Set<AclEntry>) async throws -> Set<AclEntry> {
        let path = ZNodeLayout.acls(pattern)
        for _ in 0..<Self.maxAttempts {
            let node = try await client.getIfExists(path)
            let before = Set(try node.map { Self.entries(try ZNodeJSON.decode(AclNode.self, $0.bytes, path: path)) } ?? [])
            let after = change(before)
            let data = try ZNodeJSON.encode(AclNode(acls: after.sorted().map {
                AclNode.Entry(principal: $0.principal, host: $0.host, operation: $0.operation.kafkaName, permissionType: $0.permission.kafkaName)
            }))
            do {
                switch (node, after.isEmpty) {
                case (nil, true): break
                case (nil, false): _ = try await client.create(path, data: data)
                case (let node?, true): try await client.delete(path, version: node.stat.version)
                case (let node?, false): if after != before { _ = try await client.set(path, data: data, version: node.stat.version) }
                }
                return before.subtracting(after)
            } catch ZooKeeperError.badVersion {
                continue
            } catch ZooKeeperError.nodeExists {
                continue
            } catch ZooKeeperError.noNode {
                continue
            }
        }
        throw MetadataError.unusable("znode \(path) changed under \(Self.maxAttempts) attempts to update it; too many writers at once")
    }

    /// The entries of a znode; entries with names this build does not know are skipped.
    private static func entries(_ node: AclNode) -> [AclEntry] {
        node.acls.compactMap { entry in
            guard let operation = AclOperation.allCases.first(where: { $0.kafkaName.caseInsensitiveCompare(entry.operation) == .orderedSame }),
                  let permission = AclPermissionType.allCases.first(where: { $0.kafkaName.caseInsensitiveCompare(entry.permissionType) == .orderedSame })
            else { return nil }
            return AclEntry(principal: entry.principal, host: entry.host, operation: operation, permission: permission)
        }
    }
}
