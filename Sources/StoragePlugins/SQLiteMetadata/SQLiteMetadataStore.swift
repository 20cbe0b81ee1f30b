import Foundation
import GRDB
import SluiceKernel

/// The `sqlite` metadata plugin's store: the topic registry, committed group offsets,
/// group state and connector positions in one SQLite file (GRDB over the system
/// libsqlite3).
///
/// The file is in WAL mode with `synchronous=FULL`: a write returns only after its
/// transaction is in the WAL and the WAL is fsynced, so an acknowledged offset commit
/// survives a crash of the process or of the machine. Writes go through the pool's one
/// writer connection; reads run concurrently on reader connections. Each method is one
/// transaction, so a commit of many partitions is all-or-nothing.
public actor SQLiteMetadataStore: MetadataStore {
    /// The metadata file.
    public nonisolated let url: URL
    /// `nil` once closed: the pool owns every connection and all mutable state.
    private var pool: DatabasePool?

    /// Opens (creating if needed) the metadata file at `url` and brings its schema up to
    /// date.
    ///
    /// - Parameters:
    ///   - url: The database file; its directory is created if missing.
    ///   - busyTimeout: How long a statement waits for another process's lock, in
    ///     seconds, before failing with `SQLITE_BUSY`. Default 5.
    /// - Throws: `MetadataError.unusable` if the file is not Sluice's, was written by a
    ///   newer schema, is corrupt, or cannot be created. The file is never overwritten.
    public init(url: URL, busyTimeout: TimeInterval = 5) throws {
        self.url = url
        self.pool = try SQLiteOpening.openPool(at: url, busyTimeout: busyTimeout)
    }

    /// The open pool, or `MetadataError.closed`.
    func database() throws -> DatabasePool {
        guard let pool else { throw MetadataError.closed }
        return pool
    }

    // MARK: Topics

    /// Registers a topic and its configs in one transaction; `topicExists` if the name is taken.
    public func createTopic(_ topic: TopicRecord) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM topic WHERE name = ?", arguments: [topic.name]) ?? false {
                throw MetadataError.topicExists(topic.name)
            }
            try db.execute(
                sql: "INSERT INTO topic (name, id, partitionCount, createdAt, replicas) VALUES (?, ?, ?, ?, ?)",
                arguments: [topic.name, topic.id.uuidString, topic.partitionCount, topic.createdAt.sqliteValue,
                            try SQLiteQueries.replicasText(topic.replicas)])
            for (key, value) in topic.configs {
                try db.execute(sql: "INSERT INTO topicConfig (topic, key, value) VALUES (?, ?, ?)",
                               arguments: [topic.name, key, value])
            }
        }
    }

    /// Removes a topic, its configs and every group's offsets for it, in one transaction.
    public func deleteTopic(named name: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM topic WHERE name = ?", arguments: [name])
            guard db.changesCount > 0 else { throw MetadataError.unknownTopic(name) }
            // Configs go by ON DELETE CASCADE; offsets are not tied to the registry by a
            // foreign key (a group may commit before a topic exists), so remove them here.
            try db.execute(sql: "DELETE FROM committedOffset WHERE topic = ?", arguments: [name])
        }
    }

    /// All registered topics with their configs, sorted by name.
    public func topics() async throws -> [TopicRecord] {
        try await database().read { db in try SQLiteQueries.topics(db) }
    }

    /// Raises a topic's partition count and stores its new replica assignment;
    /// `invalidPartitionCount` unless larger.
    public func setPartitionCount(topic: String, count: Int32, replicas: [[Int32]]) async throws {
        try await write { db in
            let current = try SQLiteQueries.partitionCount(db, topic: topic)
            guard count > current else {
                throw MetadataError.invalidPartitionCount(topic: topic, current: current, requested: count)
            }
            try db.execute(sql: "UPDATE topic SET partitionCount = ?, replicas = ? WHERE name = ?",
                           arguments: [count, try SQLiteQueries.replicasText(replicas), topic])
        }
    }

    /// Replaces the replicas of existing partitions in the `replicas` column.
    public func setReplicas(topic: String, _ changes: [Int32: [Int32]]) async throws {
        try await write { db in
            guard let text = try String.fetchOne(db, sql: "SELECT replicas FROM topic WHERE name = ?", arguments: [topic]) else {
                throw MetadataError.unknownTopic(topic)
            }
            guard let stored = try? JSONDecoder().decode([[Int32]].self, from: Data(text.utf8)) else {
                throw MetadataError.unusable("topic '\(topic)' has malformed replicas '\(text)' in the metadata file")
            }
            let replicas = try TopicRecord.replacing(stored, topic: topic, with: changes)
            try db.execute(sql: "UPDATE topic SET replicas = ? WHERE name = ?",
                           arguments: [try SQLiteQueries.replicasText(replicas), topic])
        }
    }

    /// Sets config overrides, removing keys whose value is `nil`; other keys stay.
    public func updateTopicConfigs(topic: String, set changes: [String: String?]) async throws {
        try await write { db in
            _ = try SQLiteQueries.partitionCount(db, topic: topic)
            for (key, value) in changes {
                if let value {
                    try db.execute(sql: """
                        INSERT INTO topicConfig (topic, key, value) VALUES (?, ?, ?)
                        ON CONFLICT (topic, key) DO UPDATE SET value = excluded.value
                        """, arguments: [topic, key, value])
                } else {
                    try db.execute(sql: "DELETE FROM topicConfig WHERE topic = ? AND key = ?", arguments: [topic, key])
                }
            }
        }
    }

    // MARK: Connectors

    /// Upserts a connector's positions by key in one transaction; keys not given stay.
    public func setConnectorPositions(connector: String, _ positions: [String: String]) async throws {
        try await write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO connectorPosition (connector, key, value) VALUES (?, ?, ?)
                ON CONFLICT (connector, key) DO UPDATE SET value = excluded.value
                """)
            for (key, value) in positions {
                try statement.execute(arguments: [connector, key, value])
            }
        }
    }

    /// All stored positions of a connector (empty when it has none).
    public func connectorPositions(connector: String) async throws -> [String: String] {
        try await database().read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM connectorPosition WHERE connector = ?",
                                        arguments: [connector])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["key"], $0["value"]) })
        }
    }

    // MARK: Lifecycle

    /// Waits for running reads and writes, then closes every connection. Later calls,
    /// including a second `close`, throw `MetadataError.closed`.
    public func close() async throws {
        guard let pool else { throw MetadataError.closed }
        self.pool = nil
        try pool.close()
    }
}
