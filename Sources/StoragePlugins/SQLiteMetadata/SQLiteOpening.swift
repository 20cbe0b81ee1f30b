import Foundation
import GRDB
import SluiceKernel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening the metadata file: inspect, open the pool in WAL mode, migrate.
enum SQLiteOpening {
    /// Opens (creating if needed) the pool on `url` and applies pending migrations.
    /// Throws `MetadataError.unusable`, naming the file, for anything that stops it.
    static func openPool(at url: URL, busyTimeout: TimeInterval) throws -> DatabasePool {
        let path = url.path
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw SQLiteFileInspector.unusable(path, "cannot be created: its directory \(directory.path) "
                + "could not be made (\(error.localizedDescription)).")
        }
        let existed = FileManager.default.fileExists(atPath: path)
        _ = try SQLiteFileInspector.inspect(url, busyTimeout: busyTimeout)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration(busyTimeout: busyTimeout))
            try requireFullSynchronous(pool)
            try SQLiteSchema.migrator.migrate(pool)
            // A new file's directory entry must be durable too, or a power cut could
            // lose the whole file although its WAL commits were fsynced.
            if !existed { try fsyncDirectory(directory) }
            return pool
        } catch let error as MetadataError {
            throw error
        } catch {
            throw SQLiteFileInspector.unusable(path, "could not be opened or migrated: \(error). "
                + "Check free disk space and permissions; the file was left as it was.")
        }
    }

    /// Connection settings shared by the store and the dump.
    static func configuration(busyTimeout: TimeInterval, readonly: Bool = false) -> Configuration {
        var configuration = Configuration()
        configuration.label = "sluice-metadata"
        configuration.readonly = readonly
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        return configuration
    }

    /// Sets `synchronous=FULL` on the pool's one writer connection: every commit then
    /// fsyncs the WAL before it returns, so an acknowledged write survives power loss.
    /// (GRDB sets NORMAL when it puts a pool in WAL mode, after `prepareDatabase` runs,
    /// and NORMAL may lose the last commits on power loss; hence here, and checked.)
    private static func requireFullSynchronous(_ pool: DatabasePool) throws {
        let level = try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        guard level == 2 else { throw DatabaseError(message: "PRAGMA synchronous = FULL did not take (got \(level ?? -1))") }
    }

    /// Flushes `directory`'s entries to disk, so that a file created in it survives a
    /// power cut.
    static func fsyncDirectory(_ directory: URL) throws {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw DirectorySyncError(path: directory.path, code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DirectorySyncError(path: directory.path, code: errno) }
    }
}

/// A directory could not be opened or flushed.
struct DirectorySyncError: Error, CustomStringConvertible {
    var path: String
    var code: Int32
    var description: String { "fsync of directory \(path) failed: \(String(cString: strerror(code)))" }
}
