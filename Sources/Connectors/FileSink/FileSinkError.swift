import Foundation
import SluiceKernel

/// Why a file sink could not make progress on a partition. Every message names the file
/// or partition and says what would fix it; destination errors are retried with backoff,
/// so the fix takes effect without a restart.
public enum FileSinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file or directory operation failed: disk full, permission denied, I/O error.
    /// `errno` is the system's error number.
    case destination(operation: String, path: String, errno: Int32)
    /// The metadata store could not load or store the sink's position.
    case positionStore(connector: String, key: String, reason: String)
    /// A stored position is not one this sink wrote (the metadata was edited or mixed up).
    case corruptPosition(key: String, value: String)
    /// Compressed bytes of a batch are corrupt or larger than the sink accepts.
    case decompression(TopicPartition, offset: Int64, reason: String)
    /// A batch's records could not be decoded.
    case malformedBatch(TopicPartition, offset: Int64, reason: String)
    /// The broker refused a read (other than an offset out of range, which the sink handles).
    case fetch(TopicPartition, reason: String)

    public var description: String {
        switch self {
        case .destination(let operation, let path, let code):
            return "\(operation) '\(path)' failed: \(String(cString: strerror(code))) (errno \(code)); \(Self.hint(code, path: path))"
        case .positionStore(let connector, let key, let reason):
            return "the metadata store failed for connector '\(connector)' position '\(key)': \(reason); the sink retries, and files are truncated back to the last stored position"
        case .corruptPosition(let key, let value):
            return "stored position '\(key)' = '\(value)' is not a file-sink position; remove it from the metadata store (the partition then starts from startFrom)"
        case .decompression(let tp, let offset, let reason):
            return "\(tp) batch at offset \(offset) could not be decompressed: \(reason); the partition waits at offset \(offset)"
        case .malformedBatch(let tp, let offset, let reason):
            return "\(tp) batch at offset \(offset) could not be decoded: \(reason); the partition waits at offset \(offset)"
        case .fetch(let tp, let reason):
            return "reading \(tp) failed: \(reason)"
        }
    }

    /// True for errors a later retry can cure without the broker's records changing:
    /// destination and metadata-store failures.
    public var isTransient: Bool {
        switch self {
        case .destination, .positionStore, .fetch: true
        case .corruptPosition, .decompression, .malformedBatch: false
        }
    }

    static func hint(_ code: Int32, path: String) -> String {
        switch code {
        case ENOSPC: "the disk is full: free space on the volume holding it; the sink retries and loses nothing"
        case EDQUOT: "the disk quota is used up: raise it or free space; the sink retries and loses nothing"
        case EACCES, EPERM: "permission denied: let the user running sluice write there (chown/chmod, or remove an immutable flag); the sink retries and loses nothing"
        case EROFS: "the file system is read-only: remount it read-write or choose another path; the sink retries"
        case ENOTDIR, EEXIST, EISDIR: "something that is not a directory is in the way: move it, or choose another path; the sink retries"
        case ENOENT: "a directory on the way is missing or was removed: the sink recreates it on retry"
        case EIO: "the device reported an I/O error: check the disk; the sink retries from the last stored position"
        default: "the sink retries with backoff from the last stored position"
        }
    }
}
