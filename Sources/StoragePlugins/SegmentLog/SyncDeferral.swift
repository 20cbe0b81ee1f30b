import Foundation
import SluiceKernel
import Synchronization

/// The fsyncs of many partitions opened as one step (a topic's creation, start-up), put
/// off and made up for by one `syncfs` of the data directory's file system.
///
/// Creating a partition costs about five fsyncs (its directory, the index files, the
/// recovery point written aside and renamed), a few milliseconds each on a disk with a
/// write cache to flush: 10,000 partitions took over a minute. Every step of an open is
/// safe to make durable later, as long as it is durable before anything relies on it:
/// the broker registers a created topic, and serves a started one, only after `end`.
///
/// Scoped to one task (and the tasks it starts) by a task-local, so appends and other
/// work running meanwhile keep their own fsyncs. Tasks that outlive the step see it
/// ended and sync normally.
final class SyncDeferral: Sendable {
    /// The deferral of the current task, if any.
    @TaskLocal static var current: SyncDeferral?

    /// Whether an fsync asked for now may be left to the deferral's `end`.
    static var skipsSync: Bool { current?.active.load(ordering: .acquiring) ?? false }

    private let active = Atomic<Bool>(true)

    /// glibc's `syncfs(2)` (Linux 2.6.39+, errors reported since 5.8), looked up because
    /// Swift's Glibc module does not declare it; nil elsewhere (then `sync(2)`).
    private static let syncfs: (@convention(c) (CInt) -> CInt)? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (CInt) -> CInt).self)
    }()

    /// Ends the deferral and, when `directory` is given, makes everything written so far
    /// on its file system durable with one `syncfs`.
    func end(syncing directory: String?) throws {
        active.store(false, ordering: .releasing)
        guard let directory else { return }
        let fd = directory.withCString { Foundation.open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw FileIO.error("open", path: directory) }
        defer { _ = Foundation.close(fd) }
        if let syncfs = Self.syncfs {
            guard syncfs(fd) == 0 else { throw FileIO.error("syncfs", path: directory) }
        } else {
            sync()
            guard fsync(fd) == 0 else { throw FileIO.error("fsync", path: directory) }
        }
    }
}
