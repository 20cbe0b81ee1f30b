import Foundation
import SluiceKernel

/// The topic registry and connector positions.
extension ZooKeeperMetadataStore {
    /// Creates `/topics/<name>`; `topicExists` when the name is taken.
    public func createTopic(_ topic: TopicRecord) async throws {
        try await metadata {
            do {
                try await client.create(ZNodeLayout.topic(topic.name), data: try ZNodeJSON.encode(TopicPayload(topic)))
            } catch ZooKeeperError.nodeExists {
                throw MetadataError.topicExists(topic.name)
            }
        }
    }

    /// Removes the topic's znode, its partition states, then every group's offsets for it.
    /// Not one transaction: a crash in between leaves offsets of a deleted topic, which a
    /// later `deleteTopic` of a recreated topic of the same name removes.
    public func deleteTopic(named name: String) async throws {
        try await metadata {
            guard try await client.exists(ZNodeLayout.topic(name)) != nil else { throw MetadataError.unknownTopic(name) }
            try await client.deleteRecursively(ZNodeLayout.partitionStates(name))
            try await client.deleteRecursively(ZNodeLayout.topic(name))
            for group in try await client.children(ZNodeLayout.groups) {
                let path = "\(ZNodeLayout.groups)/\(group)/offsets"
                do {
                    try await readModifyWrite(path, ifMissing: nil) { (list: inout [OffsetPayload]) in list.removeAll { $0.topic == name } }
                } catch ZooKeeperError.noNode {
                    continue
                }
            }
        }
    }

    /// Every topic with a readable `/topics/<name>`, sorted by name.
    public func topics() async throws -> [TopicRecord] {
        try await metadata {
            var records: [TopicRecord] = []
            for segment in try await client.children(ZNodeLayout.topics) {
                let path = "\(ZNodeLayout.topics)/\(segment)"
                guard let node = try await client.getIfExists(path) else { continue }
                records.append(try ZNodeJSON.decode(TopicPayload.self, node.bytes, path: path).record(name: ZNodeLayout.decode(segment)))
            }
            return records.sorted { $0.name < $1.name }
        }
    }

    /// Raises the partition count and stores the new replica assignment, as one
    /// versioned write. - Throws: `invalidPartitionCount` unless larger, `unknownTopic`.
    public func setPartitionCount(topic: String, count: Int32, replicas: [[Int32]]) async throws {
        try await updateTopic(topic) { payload in
            guard count > payload.partitionCount else {
                throw MetadataError.invalidPartitionCount(topic: topic, current: payload.partitionCount, requested: count)
            }
            payload.partitionCount = count
            payload.replicas = replicas
        }
    }

    /// Replaces the replicas of existing partitions, as one versioned write.
    public func setReplicas(topic: String, _ changes: [Int32: [Int32]]) async throws {
        try await updateTopic(topic) { payload in
            payload.replicas = try TopicRecord.replacing(payload.replicas, topic: topic, with: changes)
        }
    }

    /// Sets config overrides (`nil` removes a key), as one versioned write.
    public func updateTopicConfigs(topic: String, set changes: [String: String?]) async throws {
        try await updateTopic(topic) { payload in
            for (key, value) in changes { payload.configs[key] = value }
        }
    }

    private func updateTopic(_ topic: String, _ change: (inout TopicPayload) throws -> Void) async throws {
        try await metadata {
            do {
                try await readModifyWrite(ZNodeLayout.topic(topic), ifMissing: nil, change)
            } catch ZooKeeperError.noNode {
                throw MetadataError.unknownTopic(topic)
            }
        }
    }

    // MARK: Connectors

    /// Merges positions into `/connectors/<name>` by key, as one versioned write.
    public func setConnectorPositions(connector: String, _ positions: [String: String]) async throws {
        try await metadata {
            try await readModifyWrite(ZNodeLayout.connector(connector), ifMissing: [:]) { (stored: inout [String: String]) in
                stored.merge(positions) { _, new in new }
            }
        }
    }

    /// All positions of a connector (empty when it has none).
    public func connectorPositions(connector: String) async throws -> [String: String] {
        try await metadata {
            let path = ZNodeLayout.connector(connector)
            guard let node = try await client.getIfExists(path) else { return [:] }
            return try ZNodeJSON.decode([String: String].self, node.bytes, path: path)
        }
    }
}
