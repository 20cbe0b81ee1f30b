import Foundation
import SluiceKernel

/// Takes the data directory for one process with `flock`, writing the holder's pid into
/// the lock file so a second process can say who holds it. Released when this object
/// goes away (the descriptor closes) or the process dies.
final class DirectoryLock: Sendable {
    static let fileName = ".lock"
    let descriptor: CInt
    let directory: String

    /// Throws `StorageError.locked` naming the directory and the holder's pid when
    /// another process — or another open of the same directory in this process — holds it.
    init(directory: String) throws {
        let path = directory + "/" + Self.fileName
        let fd = try FileIO.open(path, create: true)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
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
