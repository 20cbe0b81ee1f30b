import Foundation
import GRDB
import SluiceKernel

extension SQLiteMetadataStore {
    /// Runs one write transaction. A full disk or an I/O error becomes a
    /// `MetadataError.writeFailed` naming the file: the transaction was rolled back, so
    /// nothing of the write is stored and the caller's client gets a storage error.
    func write<T: Sendable>(_ updates: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await database().write(updates)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw MetadataError.writeFailed("no space left on the device holding the metadata file \(url.path); nothing of this change was stored. Free space and retry")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_IOERR {
            throw MetadataError.writeFailed("writing the metadata file \(url.path) failed (\(error.message ?? "I/O error")); nothing of this change was stored")
        }
    }
}
