import Foundation
import SluiceKernel

/// Client quotas (`/quotas/<entity>`), so that every broker of a cluster enforces the
/// same ones (each reloads them every few seconds).
extension ZooKeeperMetadataStore {
    /// Changes `/quotas/<entity>` with one versioned write, deleting it when no quota is left.
    public func alterClientQuotas(_ entity: ClientQuotaEntity, set changes: [ClientQuotaKey: Double?]) async throws {
        guard !changes.isEmpty else { return }
        let path = ZNodeLayout.quota(entity.storageKey)
        try await metadata {
            for _ in 0..<Self.maxAttempts {
                let node = try await client.getIfExists(path)
                var values = try node.map { try ZNodeJSON.decode([String: Double].self, $0.bytes, path: path) } ?? [:]
                for (key, value) in changes { values[key.rawValue] = value }
                do {
                    switch (node, values.isEmpty) {
                    case (nil, true): return
                    case (nil, false): try await client.create(path, data: try ZNodeJSON.encode(values))
                    case (let node?, true): try await client.delete(path, version: node.stat.version)
                    case (let node?, false): _ = try await client.set(path, data: try ZNodeJSON.encode(values), version: node.stat.version)
                    }
                    return
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
    }

    /// Every entity with a quota, sorted by entity.
    public func clientQuotas() async throws -> [ClientQuotaRecord] {
        try await metadata {
            var records: [ClientQuotaRecord] = []
            for segment in try await client.children(ZNodeLayout.quotas) {
                let path = ZNodeLayout.quota(segment)
                // Deleted between the listing and the read, or not ours: skipped.
                guard let entity = ClientQuotaEntity(storageKey: segment), let node = try await client.getIfExists(path) else { continue }
                let stored = try ZNodeJSON.decode([String: Double].self, node.bytes, path: path)
                var values: [ClientQuotaKey: Double] = [:]
                for (key, value) in stored { if let key = ClientQuotaKey(rawValue: key) { values[key] = value } }
                if !values.isEmpty { records.append(ClientQuotaRecord(entity: entity, values: values)) }
            }
            return records.sorted { $0.entity < $1.entity }
        }
    }
}
