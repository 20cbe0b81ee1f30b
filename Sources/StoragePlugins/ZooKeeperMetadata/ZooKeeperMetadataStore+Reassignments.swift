import Foundation
import SluiceKernel

/// `/admin/reassign_partitions`: one versioned znode holding every reassignment in
/// progress, as a list of `ReassignmentPayload`, so that starting several and finishing
/// one are each one atomic write (znodes hold up to 1 MiB, some 10 000 entries).
extension ZooKeeperMetadataStore {
    /// The stored reassignments (empty when the znode is absent).
    public func reassignments() async throws -> [TopicPartition: PartitionReassignment] {
        try await coordination {
            let path = ZNodeLayout.reassignments
            guard let node = try await client.getIfExists(path) else { return [:] }
            return ReassignmentPayload.dictionary(try ZNodeJSON.decode([ReassignmentPayload].self, node.bytes, path: path))
        }
    }

    /// Sets and conditionally removes entries in one versioned read-modify-write.
    public func updateReassignments(set: [TopicPartition: PartitionReassignment], remove: [TopicPartition: PartitionReassignment]) async throws {
        guard !set.isEmpty || !remove.isEmpty else { return }
        try await coordination {
            try await readModifyWrite(ZNodeLayout.reassignments, ifMissing: [ReassignmentPayload]()) { list in
                var entries = ReassignmentPayload.dictionary(list)
                for (tp, expected) in remove where entries[tp] == expected { entries.removeValue(forKey: tp) }
                entries.merge(set) { _, new in new }
                list = ReassignmentPayload.list(entries)
            }
        }
    }
}

/// One entry of `/admin/reassign_partitions`.
struct ReassignmentPayload: Codable, Sendable {
    var topic: String
    var partition: Int32
    var target: [Int32]
    var original: [Int32]

    static func list(_ entries: [TopicPartition: PartitionReassignment]) -> [ReassignmentPayload] {
        entries.sorted { $0.key < $1.key }.map {
            ReassignmentPayload(topic: $0.key.topic, partition: $0.key.partition, target: $0.value.target, original: $0.value.original)
        }
    }

    static func dictionary(_ list: [ReassignmentPayload]) -> [TopicPartition: PartitionReassignment] {
        Dictionary(list.map { (TopicPartition($0.topic, $0.partition), PartitionReassignment(target: $0.target, original: $0.original)) },
                   uniquingKeysWith: { _, last in last })
    }
}
