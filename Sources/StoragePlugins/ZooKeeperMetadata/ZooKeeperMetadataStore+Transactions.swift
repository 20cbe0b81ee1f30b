import Foundation
import SluiceKernel

/// Transaction coordinator state (`/transactions/<id>`) and offsets staged by open
/// transactions (`/groups/<group>/staged/<producerId>`), so that in a cluster the broker
/// that takes over coordination continues from them.
extension ZooKeeperMetadataStore {
    /// Replaces `/transactions/<id>`.
    public func saveTransaction(_ state: TransactionStateRecord) async throws {
        try await metadata { try await upsert(ZNodeLayout.transaction(state.transactionalId), TransactionPayload(state)) }
    }

    /// The stored state of a transactional id, if any.
    public func transaction(_ transactionalId: String) async throws -> TransactionStateRecord? {
        try await metadata { try await storedTransaction(transactionalId) }
    }

    /// Every stored transactional id's state, sorted by id.
    public func transactions() async throws -> [TransactionStateRecord] {
        try await metadata {
            var records: [TransactionStateRecord] = []
            for segment in try await client.children(ZNodeLayout.transactions) {
                // Deleted between the listing and the read: not an error.
                if let record = try await storedTransaction(ZNodeLayout.decode(segment)) { records.append(record) }
            }
            return records.sorted { $0.transactionalId < $1.transactionalId }
        }
    }

    /// Deletes `/transactions/<id>` if present.
    public func deleteTransaction(_ transactionalId: String) async throws {
        try await metadata {
            do { try await client.delete(ZNodeLayout.transaction(transactionalId)) } catch ZooKeeperError.noNode {}
        }
    }

    /// Merges offsets into `/groups/<group>/staged/<producerId>` with one versioned write.
    public func stageTransactionalOffsets(group: String, producerId: Int64, _ offsets: [TopicPartition: CommittedOffset]) async throws {
        guard !offsets.isEmpty else { return }
        try await metadata {
            for path in [ZNodeLayout.group(group), ZNodeLayout.stagedOffsets(group)] {
                do { try await client.create(path) } catch ZooKeeperError.nodeExists {}
            }
            try await readModifyWrite(ZNodeLayout.stagedOffsets(group, producerId: producerId), ifMissing: []) { (list: inout [OffsetPayload]) in
                var merged = OffsetPayload.dictionary(list)
                merged.merge(offsets) { _, new in new }
                list = OffsetPayload.list(merged)
            }
        }
    }

    /// The staged offsets of every producer on a group, by producer id.
    public func stagedTransactionalOffsets(group: String) async throws -> [StagedTransactionalOffsets] {
        try await metadata {
            let parent = ZNodeLayout.stagedOffsets(group)
            guard try await client.exists(parent) != nil else { return [] }
            var staged: [StagedTransactionalOffsets] = []
            for segment in try await client.children(parent) {
                guard let producerId = Int64(segment) else { continue }
                let path = ZNodeLayout.stagedOffsets(group, producerId: producerId)
                guard let node = try await client.getIfExists(path) else { continue }
                let offsets = OffsetPayload.dictionary(try ZNodeJSON.decode([OffsetPayload].self, node.bytes, path: path))
                staged.append(StagedTransactionalOffsets(producerId: producerId, offsets: offsets))
            }
            return staged.sorted { $0.producerId < $1.producerId }
        }
    }

    /// Commit: merges the staged offsets into `/groups/<group>/offsets` and deletes the
    /// staged znode in one `multi` at the versions read; abort: deletes the staged znode.
    public func completeTransactionalOffsets(group: String, producerId: Int64, commit: Bool) async throws {
        let stagedPath = ZNodeLayout.stagedOffsets(group, producerId: producerId)
        let offsetsPath = ZNodeLayout.offsets(group)
        try await metadata {
            for _ in 0..<Self.maxAttempts {
                guard let stagedNode = try await client.getIfExists(stagedPath) else { return }
                var ops: [ZooKeeperOp] = []
                if commit {
                    let staged = OffsetPayload.dictionary(try ZNodeJSON.decode([OffsetPayload].self, stagedNode.bytes, path: stagedPath))
                    if let node = try await client.getIfExists(offsetsPath) {
                        var merged = OffsetPayload.dictionary(try ZNodeJSON.decode([OffsetPayload].self, node.bytes, path: offsetsPath))
                        merged.merge(staged) { _, new in new }
                        ops.append(.set(path: offsetsPath, data: try ZNodeJSON.encode(OffsetPayload.list(merged)), version: node.stat.version))
                    } else {
                        ops.append(.create(path: offsetsPath, data: try ZNodeJSON.encode(OffsetPayload.list(staged)), mode: .persistent))
                    }
                }
                ops.append(.delete(path: stagedPath, version: stagedNode.stat.version))
                do {
                    try await client.multi(ops)
                    return
                } catch ZooKeeperError.badVersion {
                    continue
                } catch ZooKeeperError.nodeExists {
                    continue
                } catch ZooKeeperError.noNode {
                    continue
                }
            }
            throw MetadataError.unusable("znode \(stagedPath) changed under \(Self.maxAttempts) attempts to complete it; too many writers at once")
        }
    }

    private func storedTransaction(_ transactionalId: String) async throws -> TransactionStateRecord? {
        let path = ZNodeLayout.transaction(transactionalId)
        guard let node = try await client.getIfExists(path) else { return nil }
        return try ZNodeJSON.decode(TransactionPayload.self, node.bytes, path: path).record(transactionalId: transactionalId)
    }
}
