import Foundation

/// Errors a storage plugin reports. Messages say what happened and what to do.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The requested offset is outside the stored range.
    case offsetOutOfRange(requested: Int64, logStartOffset: Int64, logEndOffset: Int64)
    /// Truncation to an offset that is inside a batch.
    case notBatchBoundary(offset: Int64)
    /// The log or storage was closed.
    case closed(TopicPartition?)
    /// A system call failed.
    case io(path: String, operation: String, errno: Int32)
    /// The device has no space left; the partition is unchanged and appends work again
    /// once space is freed.
    case diskFull(path: String)
    /// Stored data is inconsistent beyond what recovery repairs.
    case corrupt(path: String, detail: String)
    /// Another process holds the data directory.
    case locked(directory: String, holderPID: Int32?)
    /// Compaction met a compressed batch but was given no codec (`CompactionPolicy.codec`);
    /// nothing was changed.
    case compactionCodecMissing(RecordBatch.Compression)
    /// The cleaner's offset map cannot hold the keys of even one batch.
    case offsetMapTooSmall(entries: Int, batchRecords: Int)

    public var description: String {
        switch self {
        case .offsetOutOfRange(let requested, let start, let end):
            return "offset \(requested) is out of range: the log holds [\(start), \(end))"
        case .notBatchBoundary(let offset):
            return "cannot truncate to offset \(offset): it is inside a record batch"
        case .closed(let partition):
            return partition.map { "the log of \($0) is closed" } ?? "the storage is closed"
        case .io(let path, let operation, let code):
            return "\(operation) failed on \(path): \(String(cString: strerror(code))) (errno \(code))"
        case .diskFull(let path):
            return "no space left on the device holding \(path); free space and retry: nothing was written"
        case .corrupt(let path, let detail):
            return "\(path) is corrupt: \(detail)"
        case .locked(let directory, let pid):
            let holder = pid.map { "process \($0)" } ?? "another process"
            return "data directory \(directory) is in use by another Sluice (\(holder)); stop it or choose another dataDir"
        case .compactionCodecMissing(let codec):
            return "cannot compact a \(codec)-compressed batch without a codec: pass CompactionPolicy.codec (nothing was changed)"
        case .offsetMapTooSmall(let entries, let records):
            return "the cleaner's offset map holds \(entries) keys but a batch has \(records) records; raise the offset map size"
        }
    }
}
