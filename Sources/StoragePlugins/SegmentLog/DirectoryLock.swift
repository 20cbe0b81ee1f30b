import Foundation
import SluiceKernel

/// Takes the data directory for one process with `flock`, writing the holder's pid into
/// the lock file so a second process can say who holds it. Released when this object
/// goes away (the descriptor closes) or the process dies.
final class DirectoryLock: Sendable {
    static let fileName = ".lock"
    /// Tries 10 ms apart before reporting the lock as held (a quarter of a second).
    static let attempts = 25
    let descriptor: CInt
    let directory: String

    /// Throws `StorageError.locked` naming the directory and the holder's pid when
    /// another process — or another open of the same directory in this process — holds it.
    init(directory: String) throws {
        let path = directory + "/" + Self.fileName
        let fd = try FileIO.open(path, create: true)
        // A lock just released can still be held for a moment by a process being spawned
        // by the previous holder (between fork and exec it shares the descriptor), so a
        // busy lock is retried briefly before it counts as held.
        var attempts = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            attempts += 1
            if (code == EWOULDBLOCK || code == EAGAIN || code == EINTR) && attempts < Self.attempts {
                usleep(10_000)
                continue
            }
            let holder = (try? FileIO.readFile(path)).flatMap {
                Int32(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            _ = Foundation.close(fd)
            if code == EWOULDBLOCK || code == EAGAIN { throw StorageError.locked(directory: directory, holderPID: holder) }
            throw FileIO.error("flock", path: path, errno: code)
        }
        do {
            try FileIO.truncate(fd, to: 0, path: path)
            let pid = Array("\(getpid())\n".utf8)
            try pid.withUnsafeBytes { (raw) in try FileIO.write(fd, raw, at: 0, path: path) }
        } catch {
            _ = Foundation.close(fd)
            throw error
        }
        self.descriptor = fd
        self.directory = directory
    }

    deinit { _ = Foundation.close(descriptor) }
}
