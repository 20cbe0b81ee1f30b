import Foundation
import SluiceKernel
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

final class FileRegionLog: PartitionLog {
    static let junkPrefix = 13
    let inner: any PartitionLog
    init(inner: any PartitionLog) { self.inner = inner }

    var topicPartition: TopicPartition { inner.topicPartition }

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

    func append(_ batches: [RecordBatch]) async throws -> LogAppendInfo { try await inner.append(batches) }
    func batch(atOrAfterTimestamp timestamp: Int64) async throws -> LogBatchPosition? { try await inner.batch(atOrAfterTimestamp: timestamp) }
    func batchWithMaxTimestamp() async throws -> LogBatchPosition? { try await inner.batchWithMaxTimestamp() }
    func offsets() async throws -> LogOffsets { try await inner.offsets() }
    func truncate(to offset: Int64) async throws { try await inner.truncate(to: offset) }
    func applyRetention(_ policy: RetentionPolicy, now: Date) async throws -> RetentionResult {
        try await inner.applyRetention(policy, now: now)
    }
    func flush() async throws { try await inner.flush() }
    func compactionStats(_ policy: CompactionPolicy, now: Date) async throws -> CompactionStats {
        try await inner.compactionStats(policy, now: now)
    }
    func compact(_ policy: CompactionPolicy, now: Date) async throws -> CompactionResult {
        try await inner.compact(policy, now: now)
    }
    func advanceLogStart(to offset: Int64) async throws -> Int64 { try await inner.advanceLogStart(to: offset) }
}
