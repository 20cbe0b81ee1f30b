import Foundation
import GRDB
import SluiceKernel
@testable import SluiceSQLite
import Testing

/// Files that are not a usable Sluice metadata file are refused with a message naming
/// the file and what to do, and are left byte-for-byte as they were.
@Suite struct FileRefusalTests {
    /// Opens `url` as a store and as a dump, expects both to be refused, and returns the
    /// store's message; checks the file is unchanged.
    private func expectRefused(_ url: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let before = try Data(contentsOf: url)
        let message = unusableMessage({ _ = try SQLiteMetadataStore(url: url) }, sourceLocation: sourceLocation)
        let dumpMessage = unusableMessage({ _ = try SQLiteMetadataDump.dump(url) }, sourceLocation: sourceLocation)
        #expect(try Data(contentsOf: url) == before, "the refused file was modified", sourceLocation: sourceLocation)
        #expect(message?.contains(url.path) == true, "message must name the file: \(message ?? "-")",
                sourceLocation: sourceLocation)
        #expect(dumpMessage == message, sourceLocation: sourceLocation)
        return message ?? ""
    }

    @Test func aFileThatIsNotADatabaseIsRefusedAsCorrupt() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: url)
            let message = try expectRefused(url)
            #expect(message.contains("is not a SQLite database"))
            #expect(message.contains("restore it from a backup"))
            #expect(!FileManager.default.fileExists(atPath: url.path + "-wal"))
        }
    }

    @Test func aSluiceFileWithDamagedPagesIsRefusedAsCorrupt() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            try await withStore(at: url) { store in
                for n in 0..<40 {
                    try await store.createTopic(TopicRecord(name: "topic-\(n)-" + String(repeating: "x", count: 200),
                                                            partitionCount: 1, configs: ["k": "v"]))
                }
            }
            // Keep the header (page 1) intact and scribble over the pages after it.
            var bytes = try Data(contentsOf: url)
            let pageSize = 4096
            #expect(bytes.count > 3 * pageSize)
            for index in pageSize..<bytes.count where index % 3 == 0 { bytes[index] = 0xA5 }
            try bytes.write(to: url)
            let message = try expectRefused(url)
            #expect(message.contains("corrupt"))
        }
    }

    @Test func aDatabaseOfAnotherProgramIsRefusedAsForeign() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            let other = try DatabaseQueue(path: url.path)
            try await other.write { db in
                try db.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
                try db.execute(sql: "INSERT INTO invoices (total) VALUES (12.5)")
            }
            try other.close()
            let message = try expectRefused(url)
            #expect(message.contains("not Sluice's"))
            #expect(message.contains("invoices"))
            #expect(message.contains("point metadata.config.path at another file"))
        }
    }

    @Test func aDatabaseStampedWithAnotherApplicationIdIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            let other = try DatabaseQueue(path: url.path)
            try await other.write { db in try db.execute(sql: "PRAGMA application_id = 42") }
            try other.close()
            let message = try expectRefused(url)
            #expect(message.contains("another application (application_id 0x2a)"))
        }
    }

    @Test func aFileFromANewerSchemaIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            try await withStore(at: url) { store in try await Fixture.populate(store) }
            let newer = try DatabaseQueue(path: url.path)
            try await newer.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
                try db.execute(sql: "CREATE TABLE futureThing (x)")
            }
            try newer.close()
            let message = try expectRefused(url)
            #expect(message.contains("newer Sluice"))
            #expect(message.contains("v9-from-the-future"))
        }
    }

    @Test func aSluiceStampWithoutMigrationHistoryIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            let queue = try DatabaseQueue(path: url.path)
            try await queue.write { db in
                try db.execute(sql: "PRAGMA application_id = \(SQLiteSchema.applicationID)")
                try db.execute(sql: "CREATE TABLE topic (name TEXT)")
            }
            try queue.close()
            #expect(try expectRefused(url).contains("no migration history"))
        }
    }

    @Test func aDirectoryAtThePathIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            let message = unusableMessage { _ = try SQLiteMetadataStore(url: url) }
            #expect(message?.contains("is a directory") == true)
            #expect(message?.contains(url.path) == true)
        }
    }
}
