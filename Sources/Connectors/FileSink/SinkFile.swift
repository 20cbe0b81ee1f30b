import Dispatch
import Foundation

/// One open sink file, appended to by exactly one `PartitionSink`.
///
/// Plain POSIX calls, so the sink knows exactly which bytes reached the file and when
/// they are durable: `append` is `write(2)` (page cache), `sync` is `fsync(2)`.
final class SinkFile {
    /// Absolute path, for messages.
    let path: String
    /// The file's name, `<first offset>.log`.
    let name: String
    /// Bytes in the file, as this handle wrote or truncated them.
    private(set) var size: Int64
    /// Milliseconds since the epoch when the file was created (or, for a file reopened
    /// after a restart, when its stored position says it was).
    let createdMs: Int64
    private var descriptor: Int32

    /// Opens `name` in `directory` for appending, creating it when missing.
    /// A new file's directory entry is fsynced before this returns, so a position that
    /// names the file never outlives the file itself.
    static func open(_ name: String, in directory: String, createdMs: Int64) throws(FileSinkError) -> SinkFile {
        let path = directory + "/" + name
        let existed = access(path, F_OK) == 0
        let fd = retryingEINTR { Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw .destination(operation: "opening", path: path, errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            _ = Foundation.close(fd)
            throw .destination(operation: "inspecting", path: path, errno: code)
        }
        if !existed {
            do { try SinkDirectory.syncDirectory(directory) } catch {
                _ = Foundation.close(fd)
                throw error
            }
        }
        return SinkFile(path: path, name: name, descriptor: fd, size: Int64(info.st_size), createdMs: createdMs)
    }

    private init(path: String, name: String, descriptor: Int32, size: Int64, createdMs: Int64) {
        self.path = path
        self.name = name
        self.descriptor = descriptor
        self.size = size
        self.createdMs = createdMs
    }

    deinit { close() }

    /// Appends all of `bytes`. A failure may leave part of them in the file; the caller
    /// then recovers from its stored position, which truncates them away.
    func append(_ bytes: ArraySlice<UInt8>) throws(FileSinkError) {
        guard !bytes.isEmpty else { return }
        let fd = descriptor
        let failure: Int32? = bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
        if let failure { throw .destination(operation: "writing", path: path, errno: failure) }
        size += Int64(bytes.count)
    }

    /// Makes everything appended durable (`fsync`), on `queue`: an fsync can block for
    /// milliseconds, and the cooperative pool has only one thread per core.
    nonisolated(nonsending) func sync(on queue: DispatchQueue) async throws(FileSinkError) {
        let fd = descriptor, path = path
        try await Self.offload(on: queue) { () throws(FileSinkError) in
            guard retryingEINTR({ fsync(fd) }) == 0 else { throw .destination(operation: "fsync of", path: path, errno: errno) }
        }
    }

    /// Cuts the file back to `length` bytes and makes that durable.
    func truncate(to length: Int64) throws(FileSinkError) {
        guard retryingEINTR({ ftruncate(descriptor, off_t(length)) }) == 0 else {
            throw .destination(operation: "truncating", path: path, errno: errno)
        }
        guard retryingEINTR({ fsync(descriptor) }) == 0 else { throw .destination(operation: "fsync of", path: path, errno: errno) }
        size = length
    }

    /// Closes the descriptor; later calls fail with EBADF.
    func close() {
        if descriptor >= 0 { _ = Foundation.close(descriptor) }
        descriptor = -1
    }

    /// Runs blocking file work on `queue` and resumes with its result. The queue must be
    /// a serial queue of its own (`DispatchQueue(label:)`, which may start a thread),
    /// not a global one: on Linux the global queues share the cooperative pool's
    /// width, and CPU-bound tasks starve them.
    static func offload<T: Sendable>(on queue: DispatchQueue, _ work: @escaping @Sendable () throws(FileSinkError) -> T) async throws(FileSinkError) -> T {
        let result: Result<T, FileSinkError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(FileSinkError) -> T in try work() })
            }
        }
        return try result.get()
    }
}

/// Repeats a system call that failed with EINTR.
func retryingEINTR<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}
