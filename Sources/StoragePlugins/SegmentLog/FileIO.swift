import Foundation
import SluiceKernel

/// Thin wrappers over the POSIX calls the segment log uses, turning `errno` into
/// `StorageError` (ENOSPC and EDQUOT become `diskFull`, everything else `io`).
///
/// Blocking calls on purpose: writes land in the page cache and return in microseconds;
/// the slow one, `fdatasync`, runs on the `GroupCommitter`'s threads, not here.
enum FileIO {
    static func error(_ operation: String, path: String, errno code: Int32 = errno) -> StorageError {
        if code == ENOSPC || code == EDQUOT { return .diskFull(path: path) }
        return .io(path: path, operation: operation, errno: code)
    }

    /// Opens (optionally creating) a file read-write, close-on-exec.
    static func open(_ path: String, create: Bool) throws -> CInt {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let fd = path.withCString { Foundation.open($0, flags, 0o644) }
        guard fd >= 0 else { throw error("open", path: path) }
        return fd
    }

    /// The file's size in bytes.
    static func size(_ fd: CInt, path: String) throws -> Int64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw error("fstat", path: path) }
        return Int64(info.st_size)
    }

    /// The file's size in bytes and inode number.
    static func identity(_ fd: CInt, path: String) throws -> (size: Int64, inode: UInt64) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw error("fstat", path: path) }
        return (Int64(info.st_size), UInt64(info.st_ino))
    }

    /// Size and inode number of the file at `path`, nil when it does not exist.
    static func identity(atPath path: String) throws -> (size: Int64, inode: UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw error("stat", path: path)
        }
        return (Int64(info.st_size), UInt64(info.st_ino))
    }

    /// Writes every byte of `bytes` at `offset`, retrying short writes and EINTR.
    static func write(_ fd: CInt, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw error("write", path: path)
            }
            if n == 0 { throw error("write", path: path, errno: ENOSPC) }
            done += n
        }
    }

    /// Writes the buffers one after another at `offset` with as few `pwritev` calls as
    /// the kernel allows (one, normally); `vectors` is consumed (advanced in place).
    static func writev(_ fd: CInt, _ vectors: UnsafeMutableBufferPointer<iovec>, at offset: Int64, total: Int,
                       path: String) throws {
        var done = 0
        var first = 0
        while done < total {
            let count = min(vectors.count - first, 1024)
            let n = pwritev(fd, vectors.baseAddress! + first, Int32(count), off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw error("write", path: path)
            }
            if n == 0 { throw error("write", path: path, errno: ENOSPC) }
            done += n
            // Skip the vectors written completely and trim the one written in part.
            var left = n
            while first < vectors.count, left >= vectors[first].iov_len {
                left -= vectors[first].iov_len
                first += 1
            }
            if left > 0 {
                vectors[first].iov_base = vectors[first].iov_base! + left
                vectors[first].iov_len -= left
            }
        }
    }

    /// Reads up to `count` bytes at `offset` into `buffer`; fewer only at end of file.
    static func read(_ fd: CInt, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64,
                     path: String) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw error("read", path: path)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads a whole (small) file, such as an index; nil when it does not exist.
    static func readFile(_ path: String) throws -> [UInt8]? {
        let fd = path.withCString { Foundation.open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw error("open", path: path)
        }
        defer { _ = Foundation.close(fd) }
        let count = Int(try size(fd, path: path))
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { (raw) in try read(fd, into: raw, at: 0, path: path) }
        return got == count ? bytes : Array(bytes[..<got])
    }

    static func truncate(_ fd: CInt, to size: Int64, path: String) throws {
        while ftruncate(fd, off_t(size)) != 0 {
            if errno == EINTR { continue }
            throw error("truncate", path: path)
        }
    }

    /// `fdatasync`: the file's data and the metadata needed to read it back.
    static func sync(_ fd: CInt, path: String) throws {
        if SyncDeferral.skipsSync { return }
        while dataSync(fd) != 0 {
            if errno == EINTR { continue }
            throw error("fsync", path: path)
        }
    }

    private static func dataSync(_ fd: CInt) -> CInt {
        #if os(Linux)
        fdatasync(fd)
        #else
        fsync(fd)
        #endif
    }

    /// Makes creations, renames and removals of entries in `directory` durable.
    static func syncDirectory(_ directory: String) throws {
        if SyncDeferral.skipsSync { return }
        let fd = directory.withCString { Foundation.open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw error("open", path: directory) }
        defer { _ = Foundation.close(fd) }
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw error("fsync", path: directory)
        }
    }

    /// Removes a file; a file that is already gone is not an error.
    static func remove(_ path: String) throws {
        if unlink(path) != 0, errno != ENOENT { throw error("unlink", path: path) }
    }

    /// Writes `contents` to `path` atomically: a temporary file, fsync, rename, fsync of
    /// the directory. Readers see the old or the new contents, never a mix.
    static func writeAtomically(_ contents: String, to path: String, directory: String) throws {
        try writeAtomically(Array(contents.utf8), to: path, directory: directory)
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws {
        let temporary = path + ".tmp"
        let fd = try open(temporary, create: true)
        do {
            try truncate(fd, to: 0, path: temporary)
            try bytes.withUnsafeBytes { (raw) in try write(fd, raw, at: 0, path: temporary) }
            try sync(fd, path: temporary)
        } catch {
            _ = Foundation.close(fd)
            throw error
        }
        _ = Foundation.close(fd)
        guard rename(temporary, path) == 0 else { throw error("rename", path: path) }
        try syncDirectory(directory)
    }
}
