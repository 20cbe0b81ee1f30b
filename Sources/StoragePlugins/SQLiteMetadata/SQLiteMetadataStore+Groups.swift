import Foundation
import GRDB
import SluiceKernel

/// Consumer-group offsets and state.
extension SQLiteMetadataStore {
    public func commitOffsets(group: String, _ offsets: [TopicPartition: CommittedOffset]) async throws {
        guard !offsets.isEmpty else { return }
        // One transaction (one WAL fsync) for the whole request: all or none, and a
        // 100-partition commit costs about what a single one does.
        try await database().write { db in
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
                    committed.metadata, committed.commitTime.sqliteValue,
                ])
            }
        }
    }

    public func committedOffsets(group: String) async throws -> [TopicPartition: CommittedOffset] {
        try await database().read { db in
            var offsets: [TopicPartition: CommittedOffset] = [:]
            for (tp, committed) in try SQLiteQueries.offsets(db, group: group) { offsets[tp] = committed }
            return offsets
        }
    }

    public func deleteOffsets(group: String, partitions: [TopicPartition]) async throws {
        guard !partitions.isEmpty else { return }
        try await database().write { db in
            let statement = try db.cachedStatement(sql: """
                DELETE FROM committedOffset WHERE groupId = ? AND topic = ? AND partition = ?
                """)
            for tp in partitions {
                try statement.execute(arguments: [group, tp.topic, tp.partition])
            }
        }
    }

    public func deleteGroup(_ group: String) async throws {
        try await database().write { db in
            try db.execute(sql: "DELETE FROM committedOffset WHERE groupId = ?", arguments: [group])
            try db.execute(sql: "DELETE FROM groupState WHERE groupId = ?", arguments: [group])
        }
    }

    public func groups() async throws -> [String] {
        try await database().read { db in try SQLiteQueries.groups(db) }
    }

    public func saveGroupState(_ state: GroupStateRecord) async throws {
        try await database().write { db in
            try db.execute(sql: """
                INSERT INTO groupState (groupId, protocolType, generation, updatedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT (groupId) DO UPDATE SET protocolType = excluded.protocolType,
                    generation = excluded.generation, updatedAt = excluded.updatedAt
                """, arguments: [state.group, state.protocolType, state.generation, state.updatedAt.sqliteValue])
        }
    }

    public func groupState(_ group: String) async throws -> GroupStateRecord? {
        try await database().read { db in try SQLiteQueries.groupState(db, group: group) }
    }
}
