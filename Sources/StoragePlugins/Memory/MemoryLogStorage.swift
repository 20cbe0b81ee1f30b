import Foundation
import NIOCore
import SluiceKernel

/// In-memory storage: a complete implementation of the `LogStorage` contract that keeps
/// nothing across restarts. Used by tests, and the example to copy when writing a storage
/// plugin (see docs/writing-a-storage-plugin.md).
public actor MemoryLogStorage: LogStorage {
    public nonisolated let defaultLogConfig: PartitionLogConfig
    public nonisolated let defaultRetention: RetentionPolicy
    /// Memory for each clean's key → offset map, in bytes (`CompactionOffsetMap`, 24 bytes
    /// per key); default 4 MiB, about 157,000 keys per pass.
    public nonisolated let cleanerOffsetMapBytes: Int
    public static let defaultCleanerOffsetMapBytes = 4 << 20
    private var logs: [TopicPartition: MemoryPartitionLog] = [:]
    private var closed = false

    public init(defaultLogConfig: PartitionLogConfig = PartitionLogConfig(), defaultRetention: RetentionPolicy = RetentionPolicy(),
                cleanerOffsetMapBytes: Int = MemoryLogStorage.defaultCleanerOffsetMapBytes) {
        self.defaultLogConfig = defaultLogConfig
        self.defaultRetention = defaultRetention
        self.cleanerOffsetMapBytes = cleanerOffsetMapBytes
    }

    public func open(_ partition: TopicPartition, config: PartitionLogConfig) async throws -> any PartitionLog {
        guard !closed else { throw StorageError.closed(nil) }
        if let log = logs[partition] { return log }
        let log = MemoryPartitionLog(partition, config: config, cleanerOffsetMapBytes: cleanerOffsetMapBytes)
        logs[partition] = log
        return log
    }

    public func delete(_ partition: TopicPartition) async throws {
        guard !closed else { throw StorageError.closed(nil) }
        await logs.removeValue(forKey: partition)?.close()
    }

    public func storedPartitions() async throws -> [TopicPartition] {
        guard !closed else { throw StorageError.closed(nil) }
        return logs.keys.sorted()
    }

    public func close() async throws {
        for log in logs.values { await log.close() }
        logs.removeAll()
        closed = true
    }
}
