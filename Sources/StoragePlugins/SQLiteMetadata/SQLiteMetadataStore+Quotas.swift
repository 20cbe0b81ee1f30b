import Foundation
import GRDB
import SluiceKernel

/// Client quotas (`clientQuota`: one row per entity and key).
extension SQLiteMetadataStore {
    /// Sets and removes one entity's quotas in one transaction.
    public func alterClientQuotas(_ entity: ClientQuotaEntity, set changes: [ClientQuotaKey: Double?]) async throws {
        guard !changes.isEmpty else { return }
        let key = entity.storageKey
        try await write { db in
            for (quota, value) in changes {
                if let value {
                    try db.execute(sql: """
                        INSERT INTO clientQuota (entity, key, value) VALUES (?, ?, ?)
                        ON CONFLICT (entity, key) DO UPDATE SET value = excluded.value
                        """, arguments: [key, quota.rawValue, value])
                } else {
                    try db.execute(sql: "DELETE FROM clientQuota WHERE entity = ? AND key = ?", arguments: [key, quota.rawValue])
                }
            }
        }
    }

    /// Every entity with a quota, sorted by entity; rows of keys this build does not know
    /// are skipped.
    public func clientQuotas() async throws -> [ClientQuotaRecord] {
        try await database().read { db in
            var byEntity: [ClientQuotaEntity: [ClientQuotaKey: Double]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT entity, key, value FROM clientQuota") {
                guard let entity = ClientQuotaEntity(storageKey: row["entity"]),
                      let key = ClientQuotaKey(rawValue: row["key"]) else { continue }
                byEntity[entity, default: [:]][key] = row["value"]
            }
            return byEntity.map { ClientQuotaRecord(entity: $0.key, values: $0.value) }.sorted { $0.entity < $1.entity }
        }
    }
}
