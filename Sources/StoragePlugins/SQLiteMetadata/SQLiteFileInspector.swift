import Foundation
import GRDB
import SluiceKernel

/// Decides, without writing a byte, whether a file may be opened as Sluice metadata.
///
/// A file that is not Sluice's must never be migrated into one (that would mix our
/// tables into someone else's database), a file from a newer Sluice must not be used by
/// an older one (it would misread or drop what the newer schema added), and a corrupt
/// file must not be "repaired" by recreating it (that would lose every committed offset).
/// Each refusal is a `MetadataError.unusable` naming the file and what to do.
enum SQLiteFileInspector {
    /// What is at the configured path.
    enum Verdict: Equatable {
        /// No file, or an empty SQLite database: safe to create the schema in.
        case fresh
        /// A Sluice metadata file with these applied migrations (all known to this build).
        case sluice(appliedMigrations: Set<String>)
    }

    /// The 16-byte magic every SQLite 3 database file starts with.
    private static let sqliteHeader = Array("SQLite format 3\0".utf8)

    /// Inspects `url`; throws `MetadataError.unusable` for anything but a fresh or a
    /// compatible Sluice file. `busyTimeout` (seconds) covers a lock another process
    /// holds briefly, e.g. a running broker's checkpoint.
    static func inspect(_ url: URL, busyTimeout: TimeInterval) throws -> Verdict {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .fresh }
        if isDirectory.boolValue {
            throw unusable(path, "is a directory, not a metadata file. Point metadata.config.path at a file name.")
        }
        let header: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            header = try handle.read(upToCount: sqliteHeader.count) ?? Data()
        } catch {
            throw unusable(path, "cannot be read (\(error.localizedDescription)). Check its permissions.")
        }
        // SQLite treats a zero-length file as an empty database; so do we.
        if header.isEmpty { return .fresh }
        guard Array(header) == sqliteHeader else {
            throw unusable(path, """
                is not a SQLite database (corrupt, truncated, or another kind of file). \
                Sluice will not overwrite it: restore it from a backup, or move it aside to \
                start with an empty registry.
                """)
        }
        do {
            let configuration = SQLiteOpening.configuration(busyTimeout: busyTimeout, readonly: true)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in try verdict(of: db, path: path) }
        } catch let error as MetadataError {
            throw error
        } catch let error as DatabaseError {
            throw unusable(path, "cannot be opened as a SQLite database: \(error.message ?? "\(error.resultCode)"). "
                + "It may be corrupt: restore it from a backup, or move it aside to start with an empty registry.")
        } catch {
            throw unusable(path, "cannot be opened: \(error)")
        }
    }

    private static func verdict(of db: Database, path: String) throws -> Verdict {
        // An integrity check up front turns "corrupt page" surprises in the middle of an
        // offset commit into one clear refusal at startup. The file is small.
        let check = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
        guard check == ["ok"] else {
            let findings = check.joined(separator: " ").split(whereSeparator: \.isNewline).joined(separator: " ")
            throw unusable(path, "is corrupt (integrity check: \(findings)). "
                + "Restore it from a backup, or move it aside to start with an empty registry.")
        }
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let objects = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name
            """)
        if applicationID == 0 {
            if objects.isEmpty { return .fresh }
            throw unusable(path, "is a SQLite database that is not Sluice's (it holds "
                + "\(objects.prefix(5).joined(separator: ", "))\(objects.count > 5 ? ", …" : "")). "
                + "Sluice will not modify it: point metadata.config.path at another file.")
        }
        guard applicationID == SQLiteSchema.applicationID else {
            let hex = String(UInt32(bitPattern: applicationID), radix: 16)
            throw unusable(path, "is a SQLite database of another application (application_id 0x\(hex)). "
                + "Sluice will not modify it: point metadata.config.path at another file.")
        }
        guard try db.tableExists("grdb_migrations") else {
            throw unusable(path, "is marked as Sluice metadata but has no migration history; it was damaged "
                + "or edited by hand. Restore it from a backup, or move it aside to start with an empty registry.")
        }
        let applied = try SQLiteSchema.migrator.appliedIdentifiers(db)
        let unknown = applied.subtracting(SQLiteSchema.knownMigrations).sorted()
        guard unknown.isEmpty else {
            throw unusable(path, "was written by a newer Sluice (schema migrations unknown to this version: "
                + "\(unknown.joined(separator: ", "))). Run that newer version, or restore a backup made "
                + "before the upgrade; this version will not touch it.")
        }
        return .sluice(appliedMigrations: applied)
    }

    static func unusable(_ path: String, _ why: String) -> MetadataError {
        .unusable("metadata file \(path) \(why)")
    }
}
