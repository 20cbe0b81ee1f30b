import Foundation
import GRDB
import SluiceKernel

/// Consumer-group offsets and state.
extension SQLiteMetadataStore {
    /// Upserts a group's offsets for every partition given, in one transaction: all or none.
    public func commitOffsets(group: String, _ offsets: [TopicPartition: CommittedOffset]) async throws {
        guard !offsets.isEmpty else { return }
        // One transaction (one WAL fsync) for the whole request: all or none, and a
        // 100-partition commit costs about what a single one does.
        try await write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO committedOffset (groupId, topic, partition, "offset", leaderEpoch, metadata, commitTime)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (groupId, topic, partition) DO UPDATE SET
                    "offset" = excluded."offset", leaderEpoch = excluded.leaderEpoch,
                    metadata = excluded.metadata, commitTime = excluded.commitTime
                """)
            for (tp, committed) in offsets {
                try statement.execute(arguments: [
                    group, tp.topic, tp.partition, committed.offset, committed.leaderEpoch,
                    committed.metadata.map(CommitMetadataColumn.blob), committed.commitTime.sqliteValue,
                ])
            }
        }
    }

    /// A group's committed offsets (empty when it has none).
    public func committedOffsets(group: String) async throws -> [TopicPartition: CommittedOffset] {
        try await database().read { db in
            var offsets: [TopicPartition: CommittedOffset] = [:]
            for (tp, committed) in try SQLiteQueries.offsets(db, group: group) { offsets[tp] = committed }
            return offsets
        }
    }

    /// Removes a group's offsets for these partitions; absent ones are ignored.
    public func deleteOffsets(group: String, partitions: [TopicPartition]) async throws {
        guard !partitions.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(sql: """
                DELETE FROM committedOffset WHERE groupId = ? AND topic = ? AND partition = ?
                """)
            for tp in partitions {
                try statement.execute(arguments: [group, tp.topic, tp.partition])
            }
        }
    }

    /// Removes a group's offsets and state in one transaction.
    public func deleteGroup(_ group: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM committedOffset WHERE groupId = ?", arguments: [group])
            try db.execute(sql: "DELETE FROM groupState WHERE groupId = ?", arguments: [group])
            try db.execute(sql: "DELETE FROM stagedOffset WHERE groupId = ?", arguments: [group])
        }
    }

    /// Groups with committed offsets or stored state, sorted.
    public func groups() async throws -> [String] {
        try await database().read { db in try SQLiteQueries.groups(db) }
    }

    /// Stores (replacing) a group's protocol type, generation and static members.
    public func saveGroupState(_ state: GroupStateRecord) async throws {
        let staticMembers = try SQLiteQueries.json(state.staticMembers)
        try await write { db in
            try db.execute(sql: """
                INSERT INTO groupState (groupId, protocolType, generation, staticMembers, updatedAt) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (groupId) DO UPDATE SET protocolType = excluded.protocolType,
                    generation = excluded.generation, staticMembers = excluded.staticMembers, updatedAt = excluded.updatedAt
                """, arguments: [state.group, state.protocolType, state.generation, staticMembers, state.updatedAt.sqliteValue])
        }
    }

    /// A group's stored state, or `nil`.
    public func groupState(_ group: String) async throws -> GroupStateRecord? {
        try await database().read { db in try SQLiteQueries.groupState(db, group: group) }
    }
}
