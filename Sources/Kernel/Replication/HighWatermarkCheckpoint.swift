import Foundation

/// The high watermark of every replicated partition this broker holds, kept in one small
/// file as Kafka's `replication-offset-checkpoint`: written by the `ReplicaManager` every
/// `ReplicationConfig.highWatermarkCheckpointIntervalMs` and once more when replication
/// stops cleanly, read when it starts. A restarted broker then serves consumers up to that
/// mark at once instead of waiting for its followers to fetch (without it the high
/// watermark would have to restart at the log start, since its log end may hold records
/// no other replica has).
///
/// Format (Kafka's): a version line `0`, a count line, then `topic partition offset` per
/// line. The file is written aside, fsynced and renamed over the old one, so a crash
/// leaves the previous checkpoint or the new one, never a mix.
public struct HighWatermarkCheckpoint: Sendable {
    /// The file's name in the broker's data directory.
    public static let fileName = "replication-offset-checkpoint"
    static let version = 0

    /// Absolute path of the file.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The marks stored, by partition; empty when the file is absent. A file that does not
    /// parse counts as absent (a crash never leaves one; a hand-edited one must not stop
    /// the broker): its partitions restart their high watermark at the log start.
    public func read() -> [TopicPartition: Int64] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        return Self.parse(String(decoding: data, as: UTF8.self)) ?? [:]
    }

    /// Replaces the file with `marks`, durably.
    public func write(_ marks: [TopicPartition: Int64]) throws(HighWatermarkCheckpointError) {
        let text = Self.render(marks)
        let temporary = path + ".tmp"
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: temporary, operation: "open", errno: errno) }
        var failed: (String, Int32)?
        text.utf8CString.withUnsafeBufferPointer { buffer in
            var written = 0
            let count = buffer.count - 1   // without the terminating NUL
            while written < count {
                let n = Foundation.write(fd, buffer.baseAddress! + written, count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = ("write", errno)
                    return
                }
                written += n
            }
        }
        if failed == nil, fsync(fd) != 0 { failed = ("fsync", errno) }
        close(fd)
        if let (operation, code) = failed { throw .io(path: temporary, operation: operation, errno: code) }
        guard rename(temporary, path) == 0 else { throw .io(path: path, operation: "rename", errno: errno) }
        let dirFd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if dirFd >= 0 {
            _ = fsync(dirFd)
            close(dirFd)
        }
    }

    static func render(_ marks: [TopicPartition: Int64]) -> String {
        var text = "\(version)\n\(marks.count)\n"
        for (tp, offset) in marks.sorted(by: { $0.key < $1.key }) {
            text += "\(tp.topic) \(tp.partition) \(offset)\n"
        }
        return text
    }

    /// nil when the text is not a version-0 checkpoint with as many entries as it says.
    static func parse(_ text: String) -> [TopicPartition: Int64]? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count >= 2, Int(lines[0]) == version, let count = Int(lines[1]), lines.count == count + 2 else { return nil }
        var marks: [TopicPartition: Int64] = [:]
        for line in lines.dropFirst(2) {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let partition = Int32(fields[1]), let offset = Int64(fields[2]), offset >= 0 else { return nil }
            marks[TopicPartition(String(fields[0]), partition)] = offset
        }
        return marks
    }
}

/// Why the high-watermark checkpoint could not be written (logged; the next round retries).
public enum HighWatermarkCheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .io(let path, let operation, let code):
            "\(operation) of the high-watermark checkpoint \(path) failed: \(String(cString: strerror(code))) (errno \(code)); "
                + "check that the data directory is writable and the disk has room"
        }
    }
}
