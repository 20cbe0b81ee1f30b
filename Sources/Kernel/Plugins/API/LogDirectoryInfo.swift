import Foundation

/// One storage directory and the partitions this broker keeps in it, as Kafka's
/// DescribeLogDirs reports them.
public struct LogDirectoryInfo: Sendable, Equatable {
    /// Absolute path of the directory (`memory` for storage without files).
    public var path: String
    /// The partitions stored there with their size in bytes, sorted.
    public var partitions: [(TopicPartition, sizeBytes: Int64)]
    /// Size of the file system holding the directory, in bytes; nil when unknown.
    public var totalBytes: Int64?
    /// Bytes still free to this process on that file system; nil when unknown.
    public var usableBytes: Int64?

    public init(path: String, partitions: [(TopicPartition, sizeBytes: Int64)], totalBytes: Int64?, usableBytes: Int64?) {
        self.path = path
        self.partitions = partitions
        self.totalBytes = totalBytes
        self.usableBytes = usableBytes
    }

    public static func == (lhs: LogDirectoryInfo, rhs: LogDirectoryInfo) -> Bool {
        lhs.path == rhs.path && lhs.totalBytes == rhs.totalBytes && lhs.usableBytes == rhs.usableBytes
            && lhs.partitions.map(\.0) == rhs.partitions.map(\.0) && lhs.partitions.map(\.sizeBytes) == rhs.partitions.map(\.sizeBytes)
    }

    /// Total and usable bytes of the file system holding `path` (`statvfs`), nil when it fails.
    public static func fileSystemSpace(of path: String) -> (total: Int64, usable: Int64)? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        let block = Int64(stats.f_frsize)
        return (Int64(stats.f_blocks) * block, Int64(stats.f_bavail) * block)
    }
}
