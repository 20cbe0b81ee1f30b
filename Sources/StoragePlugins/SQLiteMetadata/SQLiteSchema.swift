import Foundation
import GRDB

/// The metadata file's schema, as an ordered list of named GRDB migrations.
///
/// Rules that keep old files readable and new files recognisable:
/// - Never edit or rename a migration once it has shipped: add a new one.
/// - The first migration stamps `PRAGMA application_id` with ``applicationID`` in the
///   same transaction that creates the tables, so a file is either untouched (empty) or
///   fully Sluice's; ``SQLiteFileInspector`` uses the stamp to refuse foreign files.
/// - Timestamps are `REAL` seconds since 2001-01-01 UTC (Foundation's reference date)
///   so that a `Date` read back equals the `Date` written; the dump renders them as ISO
///   8601.
enum SQLiteSchema {
    /// `PRAGMA application_id` of a Sluice metadata file: "SLUC" in ASCII.
    static let applicationID: Int32 = 0x534C_5543

    /// The migrator with every migration this build knows, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-registry-offsets-groups-connectors", migrate: createInitialTables)
        migrator.registerMigration("v2-topic-replicas", migrate: addTopicReplicas)
        migrator.registerMigration("v3-group-static-members", migrate: addGroupStaticMembers)
        migrator.registerMigration("v4-transactions", migrate: addTransactions)
        migrator.registerMigration("v5-client-quotas", migrate: addClientQuotas)
        migrator.registerMigration("v6-scram-credentials", migrate: addScramCredentials)
        migrator.registerMigration("v7-acls", migrate: addAcls)
        return migrator
    }

    /// Identifiers of every migration this build knows.
    static var knownMigrations: [String] { migrator.migrations }

    /// `TopicRecord.replicas` as JSON text (`[[1,2],[2,3]]`); `[]` on a single node.
    private static func addTopicReplicas(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE topic ADD COLUMN replicas TEXT NOT NULL DEFAULT '[]'")
    }

    /// `GroupStateRecord.staticMembers` as a JSON object (instance id → member id).
    private static func addGroupStaticMembers(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE groupState ADD COLUMN staticMembers TEXT NOT NULL DEFAULT '{}'")
    }

    /// Transaction coordinator state (one row per transactional id; partitions and groups
    /// as JSON text) and offsets staged by open transactions (TxnOffsetCommit).
    private static func addTransactions(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE transactionState (
                transactionalId TEXT NOT NULL PRIMARY KEY,
                producerId INTEGER NOT NULL,
                producerEpoch INTEGER NOT NULL,
                lastProducerEpoch INTEGER NOT NULL,
                status TEXT NOT NULL,
                timeoutMs INTEGER NOT NULL,
                partitions TEXT NOT NULL,
                groups TEXT NOT NULL,
                startedAt REAL,
                updatedAt REAL NOT NULL
            );
            CREATE TABLE stagedOffset (
                groupId TEXT NOT NULL,
                producerId INTEGER NOT NULL,
                topic TEXT NOT NULL,
                partition INTEGER NOT NULL,
                "offset" INTEGER NOT NULL,
                leaderEpoch INTEGER,
                metadata BLOB,
                commitTime REAL NOT NULL,
                PRIMARY KEY (groupId, producerId, topic, partition)
            ) WITHOUT ROWID;
            """)
    }

    /// Client quotas: one row per entity and quota key; `entity` is
    /// `ClientQuotaEntity.storageKey`.
    private static func addClientQuotas(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE clientQuota (
                entity TEXT NOT NULL,
                key TEXT NOT NULL,
                value REAL NOT NULL,
                PRIMARY KEY (entity, key)
            ) WITHOUT ROWID;
            """)
    }

    /// Users' SCRAM credentials, one row per user and mechanism (`SCRAM-SHA-512`): salt,
    /// iterations, StoredKey and ServerKey, never a password.
    private static func addScramCredentials(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE scramCredential (
                user TEXT NOT NULL,
                mechanism TEXT NOT NULL,
                salt BLOB NOT NULL,
                iterations INTEGER NOT NULL,
                storedKey BLOB NOT NULL,
                serverKey BLOB NOT NULL,
                PRIMARY KEY (user, mechanism)
            ) WITHOUT ROWID;
            """)
    }

    /// One row per ACL; the numbers are Kafka's (resource type, pattern type, operation,
    /// permission), so a row reads like a CreateAcls creation.
    private static func addAcls(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE acl (
                resourceType INTEGER NOT NULL,
                resourceName TEXT NOT NULL,
                patternType INTEGER NOT NULL,
                principal TEXT NOT NULL,
                host TEXT NOT NULL,
                operation INTEGER NOT NULL,
                permission INTEGER NOT NULL,
                PRIMARY KEY (resourceType, resourceName, patternType, principal, host, operation, permission)
            ) WITHOUT ROWID;
            """)
    }

    private static func createInitialTables(_ db: Database) throws {
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        // `name` is the key clients use; `id` is the Kafka topic id (UUID text), unique
        // so a recreated topic of the same name gets a new identity.
        try db.execute(sql: """
            CREATE TABLE topic (
                name TEXT NOT NULL PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                partitionCount INTEGER NOT NULL CHECK (partitionCount > 0),
                createdAt REAL NOT NULL
            );
            CREATE TABLE topicConfig (
                topic TEXT NOT NULL REFERENCES topic(name) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (topic, key)
            ) WITHOUT ROWID;
            CREATE TABLE committedOffset (
                groupId TEXT NOT NULL,
                topic TEXT NOT NULL,
                partition INTEGER NOT NULL,
                "offset" INTEGER NOT NULL,
                leaderEpoch INTEGER,
                metadata TEXT,
                commitTime REAL NOT NULL,
                PRIMARY KEY (groupId, topic, partition)
            ) WITHOUT ROWID;
            CREATE INDEX committedOffsetByTopic ON committedOffset(topic);
            CREATE TABLE groupState (
                groupId TEXT NOT NULL PRIMARY KEY,
                protocolType TEXT,
                generation INTEGER NOT NULL,
                updatedAt REAL NOT NULL
            );
            CREATE TABLE connectorPosition (
                connector TEXT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (connector, key)
            ) WITHOUT ROWID;
            """)
    }
}

extension Date {
    /// The value stored in `REAL` timestamp columns (see ``SQLiteSchema``).
    var sqliteValue: Double { timeIntervalSinceReferenceDate }

    init(sqliteValue: Double) { self.init(timeIntervalSinceReferenceDate: sqliteValue) }
}
