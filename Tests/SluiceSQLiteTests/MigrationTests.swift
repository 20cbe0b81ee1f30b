import Foundation
import GRDB
import SluiceKernel
@testable import SluiceSQLite
import Testing

/// Creating the schema in new and empty files, and reopening existing ones.
@Suite struct MigrationTests {
    @Test func aMissingFileAndItsDirectoriesAreCreatedWithTheWholeSchema() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("not/yet/there/metadata.sqlite")
            try await withStore(at: url) { (store) async throws in
                #expect(try await store.topics().isEmpty)
                #expect(try await store.groups().isEmpty)
                // 2 = FULL on the writer: every commit fsyncs the WAL before returning.
                let synchronous = try await store.database().write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
                #expect(synchronous == 2)
            }
            #expect(FileManager.default.fileExists(atPath: url.path))
            let (applicationID, migrations, tables, journal) = try inspectFile(url) { db in
                (try Int32.fetchOne(db, sql: "PRAGMA application_id"),
                 try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
                 try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
                 try String.fetchOne(db, sql: "PRAGMA journal_mode"))
            }
            #expect(applicationID == SQLiteSchema.applicationID)
            #expect(migrations == SQLiteSchema.knownMigrations)
            #expect(tables == ["acl", "clientQuota", "committedOffset", "connectorPosition", "grdb_migrations", "groupState",
                               "scramCredential", "stagedOffset", "topic", "topicConfig", "transactionState"])
            #expect(journal == "wal")
        }
    }

    @Test func anEmptyFileIsTakenAsANewDatabase() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            #expect(FileManager.default.createFile(atPath: url.path, contents: Data()))
            try await withStore(at: url) { store in try await store.createTopic(Fixture.metrics) }
            let applicationID = try inspectFile(url) { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") }
            #expect(applicationID == SQLiteSchema.applicationID)
        }
    }

    @Test func anEmptySQLiteDatabaseIsTakenAsANewDatabase() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            // A database with a header but no tables, as `sqlite3 file 'VACUUM'` leaves.
            try await DatabaseQueue(path: url.path).write { db in try db.execute(sql: "PRAGMA user_version = 0") }
            try await withStore(at: url) { store in try await store.createTopic(Fixture.metrics) }
            #expect(try inspectFile(url) { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM topic") } == 1)
        }
    }

    @Test func reopeningAFileKeepsEveryKindOfDataAndAppliesNoMigrationTwice() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            let before = try await withStore(at: url) { store in
                try await Fixture.populate(store)
                return try await store.snapshot()
            }
            for _ in 0..<3 {
                try await withStore(at: url) { (store) async throws in
                    #expect(try await store.topics() == [Fixture.logs, Fixture.metrics])
                    #expect(try await store.committedOffsets(group: "readers") == Fixture.offsets)
                    #expect(try await store.groupState("readers")
                        == GroupStateRecord(group: "readers", protocolType: "consumer", generation: 5,
                                            updatedAt: Fixture.committed))
                    #expect(try await store.connectorPositions(connector: "archive") == ["logs-0": "17", "logs-1": "4"])
                    #expect(try await store.snapshot() == before)
                }
            }
            let migrations = try inspectFile(url) { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
            #expect(migrations == SQLiteSchema.knownMigrations)
        }
    }

    @Test func aVersion1FileGainsTheReplicasColumnAndKeepsItsTopics() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            // A file as the previous release left it: only the first migration applied.
            let queue = try DatabaseQueue(path: url.path)
            try SQLiteSchema.migrator.migrate(queue, upTo: "v1-registry-offsets-groups-connectors")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO topic (name, id, partitionCount, createdAt) VALUES ('old', ?, 2, 0)",
                               arguments: [UUID().uuidString])
            }
            try queue.close()
            try await withStore(at: url) { store in
                let old = try await store.topics().first
                #expect(old?.name == "old" && old?.partitionCount == 2 && old?.replicas == [], "\(String(describing: old))")
                try await store.setPartitionCount(topic: "old", count: 3, replicas: [[1, 2], [2, 3], [3, 1]])
            }
            try await withStore(at: url) { (store) async throws in
                #expect(try await store.topics().first?.replicas == [[1, 2], [2, 3], [3, 1]], "the assignment survives a reopen")
            }
            let migrations = try inspectFile(url) { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
            #expect(migrations == SQLiteSchema.knownMigrations)
        }
    }

    @Test func theFactoryResolvesRelativePathsAgainstTheDataDirectory() async throws {
        try await withTemporaryDirectory { dir in
            let context = PluginContext(instanceName: "metadata", dataDirectory: dir.appendingPathComponent("data"),
                                        logger: .init(label: "test"))
            var config = SQLiteMetadataFactory.Configuration()
            config.path = "meta/registry.db"
            let store = try await SQLiteMetadataFactory.make(config, context: context)
            try await store.createTopic(Fixture.metrics)
            try await store.close()
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("data/meta/registry.db").path))

            config.path = dir.appendingPathComponent("absolute.sqlite").path
            #expect(config.fileURL(dataDirectory: context.dataDirectory).path == config.path)
        }
    }

    @Test func configurationDefaultsDecodingAndValidation() throws {
        let defaults = try JSONDecoder().decode(SQLiteMetadataFactory.Configuration.self, from: Data("{}".utf8))
        #expect(defaults == SQLiteMetadataFactory.Configuration())
        #expect(defaults.path == "metadata.sqlite")
        #expect(defaults.busyTimeoutMs == 5_000)
        #expect(defaults.validate().isEmpty)
        #expect(SQLiteMetadataFactory.name == "sqlite")
        #expect(Set(SQLiteMetadataFactory.Configuration.keys.map(\.key)) == ["path", "busyTimeoutMs"])

        let custom = try JSONDecoder().decode(SQLiteMetadataFactory.Configuration.self,
                                              from: Data(#"{"busyTimeoutMs": 250}"#.utf8))
        #expect(custom.busyTimeoutMs == 250 && custom.path == "metadata.sqlite")

        var bad = SQLiteMetadataFactory.Configuration()
        bad.path = ""
        bad.busyTimeoutMs = -1
        #expect(bad.validate().map(\.keyPath) == ["path", "busyTimeoutMs"])
        bad.path = "data/"
        #expect(bad.validate().first?.message.contains("not a directory") == true)
    }
}
