import Foundation
import GRDB
import SluiceKernel

/// Reads shared by the store and the dump, each within a caller's transaction.
enum SQLiteQueries {
    /// Every topic with its configs, sorted by name.
    static func topics(_ db: Database) throws -> [TopicRecord] {
        var configs: [String: [String: String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT topic, key, value FROM topicConfig") {
            configs[row["topic"], default: [:]][row["key"]] = row["value"] as String
        }
        return try Row.fetchAll(db, sql: "SELECT name, id, partitionCount, createdAt, replicas FROM topic ORDER BY name")
            .map { row in
                let name: String = row["name"]
                let idText: String = row["id"]
                guard let id = UUID(uuidString: idText) else {
                    throw MetadataError.unusable("topic '\(name)' has a malformed id '\(idText)' in the metadata file")
                }
                let replicasText: String = row["replicas"]
                guard let replicas = try? JSONDecoder().decode([[Int32]].self, from: Data(replicasText.utf8)) else {
                    throw MetadataError.unusable("topic '\(name)' has malformed replicas '\(replicasText)' in the metadata file")
                }
                return TopicRecord(name: name, id: id, partitionCount: row["partitionCount"],
                                   configs: configs[name] ?? [:], createdAt: Date(sqliteValue: row["createdAt"]), replicas: replicas)
            }
    }

    /// The `replicas` column's JSON text for an assignment.
    static func replicasText(_ replicas: [[Int32]]) throws -> String {
        String(decoding: try JSONEncoder().encode(replicas), as: UTF8.self)
    }

    /// The partition count of `topic`, or `MetadataError.unknownTopic`.
    static func partitionCount(_ db: Database, topic: String) throws -> Int32 {
        guard let count = try Int32.fetchOne(db, sql: "SELECT partitionCount FROM topic WHERE name = ?",
                                             arguments: [topic]) else {
            throw MetadataError.unknownTopic(topic)
        }
        return count
    }

    /// A group's committed offsets, sorted by topic and partition.
    static func offsets(_ db: Database, group: String) throws -> [(TopicPartition, CommittedOffset)] {
        try Row.fetchAll(db, sql: """
            SELECT topic, partition, "offset", leaderEpoch, metadata, commitTime FROM committedOffset
            WHERE groupId = ? ORDER BY topic, partition
            """, arguments: [group]).map { row in
            (TopicPartition(row["topic"], row["partition"]),
             CommittedOffset(offset: row["offset"], leaderEpoch: row["leaderEpoch"], metadata: CommitMetadataColumn.string(row["metadata"]),
                             commitTime: Date(sqliteValue: row["commitTime"])))
        }
    }

    /// Groups with committed offsets or stored state, sorted.
    static func groups(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT groupId FROM committedOffset UNION SELECT groupId FROM groupState ORDER BY groupId
            """)
    }

    /// A group's stored state, if any.
    static func groupState(_ db: Database, group: String) throws -> GroupStateRecord? {
        try Row.fetchOne(db, sql: "SELECT protocolType, generation, staticMembers, updatedAt FROM groupState WHERE groupId = ?",
                         arguments: [group]).map { row in
            let text: String = row["staticMembers"]
            guard let staticMembers = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else {
                throw MetadataError.unusable("group '\(group)' has malformed static members '\(text)' in the metadata file")
            }
            return GroupStateRecord(group: group, protocolType: row["protocolType"], generation: row["generation"],
                                    staticMembers: staticMembers, updatedAt: Date(sqliteValue: row["updatedAt"]))
        }
    }

    /// JSON text of a string map (sorted keys, so equal maps store equal text).
    static func json(_ map: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(map), as: UTF8.self)
    }

    /// Every connector's positions, by connector then key.
    static func connectorPositions(_ db: Database) throws -> [String: [String: String]] {
        var positions: [String: [String: String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT connector, key, value FROM connectorPosition") {
            positions[row["connector"], default: [:]][row["key"]] = row["value"] as String
        }
        return positions
    }
}

/// Commit metadata is stored as a BLOB of its UTF-8 bytes, never bound as text: SQLite's
/// text binding (GRDB passes a length of -1) ends a string at its first NUL, and
/// librdkafka sends metadata with a trailing NUL ("Hello\0"). Rows written as TEXT by
/// earlier versions read back the same way.
enum CommitMetadataColumn {
    static func blob(_ metadata: String) -> Data { Data(metadata.utf8) }

    static func string(_ stored: Data?) -> String? { stored.map { String(decoding: $0, as: UTF8.self) } }
}
