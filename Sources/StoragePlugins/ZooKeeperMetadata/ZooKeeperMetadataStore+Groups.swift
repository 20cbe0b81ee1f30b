import Foundation
import SluiceKernel

/// Committed offsets and stored state of consumer groups.
extension ZooKeeperMetadataStore {
    /// Merges offsets into `/groups/<group>/offsets` with one versioned write: all or none.
    public func commitOffsets(group: String, _ offsets: [TopicPartition: CommittedOffset]) async throws {
        try await metadata {
            try await ensureGroup(group)
            try await readModifyWrite(ZNodeLayout.offsets(group), ifMissing: []) { (list: inout [OffsetPayload]) in
                var merged = OffsetPayload.dictionary(list)
                merged.merge(offsets) { _, new in new }
                list = OffsetPayload.list(merged)
            }
        }
    }

    /// The committed offsets of a group (empty when it has none).
    public func committedOffsets(group: String) async throws -> [TopicPartition: CommittedOffset] {
        try await metadata { try await storedOffsets(group) }
    }

    func storedOffsets(_ group: String) async throws -> [TopicPartition: CommittedOffset] {
        let path = ZNodeLayout.offsets(group)
        guard let node = try await client.getIfExists(path) else { return [:] }
        return OffsetPayload.dictionary(try ZNodeJSON.decode([OffsetPayload].self, node.bytes, path: path))
    }

    /// Removes some offsets of a group, as one versioned write.
    public func deleteOffsets(group: String, partitions: [TopicPartition]) async throws {
        let doomed = Set(partitions)
        try await metadata {
            do {
                try await readModifyWrite(ZNodeLayout.offsets(group), ifMissing: nil) { (list: inout [OffsetPayload]) in
                    list.removeAll { doomed.contains(TopicPartition($0.topic, $0.partition)) }
                }
            } catch ZooKeeperError.noNode {}
        }
    }

    /// Removes `/groups/<group>` with its offsets and state.
    public func deleteGroup(_ group: String) async throws {
        try await metadata { try await client.deleteRecursively(ZNodeLayout.group(group)) }
    }

    /// Groups with committed offsets or stored state, sorted.
    public func groups() async throws -> [String] {
        try await metadata {
            var names: [String] = []
            for segment in try await client.children(ZNodeLayout.groups) {
                let name = ZNodeLayout.decode(segment)
                let hasState = try await client.exists(ZNodeLayout.groupState(name)) != nil
                let hasOffsets = try await !storedOffsets(name).isEmpty
                if hasState || hasOffsets { names.append(name) }
            }
            return names.sorted()
        }
    }

    /// Replaces `/groups/<group>/state`.
    public func saveGroupState(_ state: GroupStateRecord) async throws {
        try await metadata {
            try await ensureGroup(state.group)
            try await upsert(ZNodeLayout.groupState(state.group),
                             GroupStatePayload(protocolType: state.protocolType, generation: state.generation,
                                               staticMembers: state.staticMembers, updatedAtMs: millis(state.updatedAt)))
        }
    }

    /// The stored state of a group, if any.
    public func groupState(_ group: String) async throws -> GroupStateRecord? {
        try await metadata {
            let path = ZNodeLayout.groupState(group)
            guard let node = try await client.getIfExists(path) else { return nil }
            let payload = try ZNodeJSON.decode(GroupStatePayload.self, node.bytes, path: path)
            return GroupStateRecord(group: group, protocolType: payload.protocolType, generation: payload.generation,
                                    staticMembers: payload.staticMembers ?? [:], updatedAt: date(payload.updatedAtMs))
        }
    }

    private func ensureGroup(_ group: String) async throws {
        do {
            try await client.create(ZNodeLayout.group(group))
        } catch ZooKeeperError.nodeExists {}
    }
}
