import Foundation
import SluiceKernel
import SluiceTestSupport
import SluiceMemory

/// Memory storage whose reads come back as file regions (as a segment-file plugin's do),
/// so tests exercise the server's `sendfile` path. Each read writes the bytes after a
/// few junk bytes into a fresh temporary file, so a wrong region offset shows.
final class FileRegionStorage: LogStorage {
    private let inner = MemoryLogStorage()
    var defaultLogConfig: PartitionLogConfig { inner.defaultLogConfig }
    var defaultRetention: RetentionPolicy { inner.defaultRetention }

    func open(_ partition: TopicPartition, config: PartitionLogConfig) async throws -> any PartitionLog {
        FileRegionLog(inner: try await inner.open(partition, config: config))
    }

    func delete(_ partition: TopicPartition) async throws { try await inner.delete(partition) }
    func storedPartitions() async throws -> [TopicPartition] { try await inner.storedPartitions() }
    func close() async throws { try await inner.close() }
}

final class FileRegionLog: ForwardingPartitionLog {
    static let junkPrefix = 13
    let inner: any PartitionLog
    init(inner: any PartitionLog) { self.inner = inner }

    func read(from offset: Int64, maxBytes: Int, maxOffset: Int64?, minOneBatch: Bool) async throws -> LogReadResult {
        var result = try await inner.read(from: offset, maxBytes: maxBytes, maxOffset: maxOffset, minOneBatch: minOneBatch)
        let bytes = try result.payload.load()
        guard bytes.readableBytes > 0 else { return result }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-region-\(UUID().uuidString)").path
        var contents = Data(repeating: 0xAB, count: Self.junkPrefix)
        contents.append(contentsOf: bytes.readableBytesView)
        try contents.write(to: URL(fileURLWithPath: path))
        let fd = Foundation.open(path, O_RDONLY)
        unlink(path)  // the open descriptor keeps the bytes readable
        result.payload = .file(LogFileRegion(file: LogFileHandle(descriptor: fd, path: path),
                                             offset: Int64(Self.junkPrefix), length: bytes.readableBytes))
        return result
    }
}
