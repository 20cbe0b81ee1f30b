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
        _ = try SQLiteFileInspector.inspect(url)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration(busyTimeout: busyTimeout))
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
        if !readonly {
            configuration.prepareDatabase { db in
                // FULL: fsync the WAL at every commit, so an acknowledged write is on
                // disk. (NORMAL, WAL's usual pairing, may lose the last commits on power
                // loss.)
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        }
        return configuration
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
