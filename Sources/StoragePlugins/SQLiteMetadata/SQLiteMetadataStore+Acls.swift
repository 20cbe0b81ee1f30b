import Foundation
import GRDB
import SluiceKernel

/// ACLs (`acl`: one row per binding, Kafka's numbers).
extension SQLiteMetadataStore {
    /// Inserts the bindings in one transaction; existing ones stay as they are.
    public func addAcls(_ bindings: [AclBinding]) async throws {
        guard !bindings.isEmpty else { return }
        try await write { db in
            for binding in bindings {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO acl (resourceType, resourceName, patternType, principal, host, operation, permission)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: Self.aclArguments(binding))
            }
        }
    }

    /// Deletes, in one transaction, every binding one of `filters` matches.
    public func deleteAcls(matching filters: [AclBindingFilter]) async throws -> [AclBinding] {
        guard !filters.isEmpty else { return [] }
        return try await write { db in
            let deleted = try Self.readAcls(db).filter { binding in filters.contains { $0.matches(binding) } }
            for binding in deleted {
                try db.execute(sql: """
                    DELETE FROM acl WHERE resourceType = ? AND resourceName = ? AND patternType = ?
                    AND principal = ? AND host = ? AND operation = ? AND permission = ?
                    """, arguments: Self.aclArguments(binding))
            }
            return deleted
        }
    }

    /// Every binding, sorted; rows with numbers this build does not know are skipped.
    public func acls() async throws -> [AclBinding] {
        try await database().read { db in try Self.readAcls(db) }
    }

    private static func readAcls(_ db: Database) throws -> [AclBinding] {
        try Row.fetchAll(db, sql: "SELECT * FROM acl").compactMap { row -> AclBinding? in
            guard let type = AclResourceType(rawValue: row["resourceType"]), let pattern = AclPatternType(rawValue: row["patternType"]),
                  let operation = AclOperation(rawValue: row["operation"]), let permission = AclPermissionType(rawValue: row["permission"])
            else { return nil }
            return AclBinding(AclResourcePattern(type, row["resourceName"], pattern),
                              AclEntry(principal: row["principal"], host: row["host"], operation: operation, permission: permission))
        }.sorted()
    }

    private static func aclArguments(_ binding: AclBinding) -> StatementArguments {
        [binding.pattern.resourceType.rawValue, binding.pattern.name, binding.pattern.patternType.rawValue,
         binding.entry.principal, binding.entry.host, binding.entry.operation.rawValue, binding.entry.permission.rawValue]
    }
}
