import Foundation
import NIOCore
import SluiceKernel
import SluiceTestSupport
import SluiceMemory

/// Memory storage whose appends can be held at a gate, slowed or failed: a slow or
/// broken disk under the beats input.
actor GatedStorage: LogStorage {
    let inner = MemoryLogStorage()
    let gate = Gate()
    private var logs: [TopicPartition: GatedLog] = [:]
    nonisolated var defaultLogConfig: PartitionLogConfig { PartitionLogConfig() }
    nonisolated var defaultRetention: RetentionPolicy { RetentionPolicy() }

    func open(_ partition: TopicPartition, config: PartitionLogConfig) async throws -> any PartitionLog {
        if let log = logs[partition] { return log }
        let log = GatedLog(inner: try await inner.open(partition, config: config), gate: gate)
        logs[partition] = log
        return log
    }
    func delete(_ partition: TopicPartition) async throws {
        logs.removeValue(forKey: partition)
        try await inner.delete(partition)
    }
    func storedPartitions() async throws -> [TopicPartition] { try await inner.storedPartitions() }
    func close() async throws { try await inner.close() }
}

/// Holds appends while closed; counts appends that started; can make appends fail.
actor Gate {
    private var open = true
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private(set) var started = 0
    var failing = false
    var delay: Duration = .zero

    func close() { open = false }

    func openGate() {
        open = true
        for waiter in waiting { waiter.resume() }
        waiting.removeAll()
    }

    func setFailing(_ value: Bool) { failing = value }
    func setDelay(_ value: Duration) { delay = value }

    func pass() async throws {
        started += 1
        if !open { await withCheckedContinuation { waiting.append($0) } }
        if delay > .zero { try await Task.sleep(for: delay) }
        if failing { throw StorageError.diskFull(path: "/injected") }
    }
}

actor GatedLog: ForwardingPartitionLog {
    nonisolated let inner: any PartitionLog
    let gate: Gate
    init(inner: any PartitionLog, gate: Gate) {
        self.inner = inner
        self.gate = gate
    }

    func append(_ batches: [RecordBatch]) async throws -> LogAppendInfo {
        try await gate.pass()
        return try await inner.append(batches)
    }
}
