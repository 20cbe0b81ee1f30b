import Foundation
import NIOCore
import SluiceKernel
import SluiceTestSupport

/// Where held appends wait: each arrival is counted, and all of them go on when the test
/// opens the gate (appends arriving after that pass straight through).
actor AppendGate {
    private var isOpen = false
    private var parked: [CheckedContinuation<Void, Never>] = []
    /// Appends waiting at the gate now.
    var waiting: Int { parked.count }

    func pass() async {
        guard !isOpen else { return }
        await withCheckedContinuation { parked.append($0) }
    }

    func open() {
        isOpen = true
        for continuation in parked { continuation.resume() }
        parked.removeAll()
    }
}

/// A real storage whose appends to one partition wait at an `AppendGate` before they
/// reach it; every other call, and every other partition, goes straight through.
final class GatedStorage: LogStorage {
    let inner: any LogStorage
    let gated: TopicPartition
    let gate: AppendGate

    init(inner: any LogStorage, gated: TopicPartition, gate: AppendGate) {
        self.inner = inner
        self.gated = gated
        self.gate = gate
    }

    var defaultLogConfig: PartitionLogConfig { inner.defaultLogConfig }
    var defaultRetention: RetentionPolicy { inner.defaultRetention }
    var descriptorsPerPartition: Int { inner.descriptorsPerPartition }
    var dataDirectories: [String] { inner.dataDirectories }

    func open(_ partition: TopicPartition, config: PartitionLogConfig) async throws -> any PartitionLog {
        let log = try await inner.open(partition, config: config)
        return partition == gated ? GatedLog(inner: log, gate: gate) : log
    }

    func delete(_ partition: TopicPartition) async throws { try await inner.delete(partition) }
    func storedPartitions() async throws -> [TopicPartition] { try await inner.storedPartitions() }
    func close() async throws { try await inner.close() }
}

final class GatedLog: ForwardingPartitionLog {
    let inner: any PartitionLog
    let gate: AppendGate
    init(inner: any PartitionLog, gate: AppendGate) {
        self.inner = inner
        self.gate = gate
    }

    func append(_ batches: [RecordBatch]) async throws -> LogAppendInfo {
        await gate.pass()
        return try await inner.append(batches)
    }
}

/// A wall clock that, once armed, holds the first caller (on whatever thread and actor it
/// runs) until released, or for at most 30 s, so a test can keep the broker actor busy.
final class BlockingClock: @unchecked Sendable {
    private let lock = NSLock()
    private var armed = false
    private var holding = false
    private let gate = DispatchSemaphore(value: 0)

    /// The next call of `now` holds its caller.
    func arm() { lock.withLock { armed = true } }

    /// Whether a caller is held right now (false again once released or timed out).
    var isHolding: Bool { lock.withLock { holding } }

    func release() { gate.signal() }

    func now() -> Date {
        let hold = lock.withLock {
            defer { armed = false }
            if armed { holding = true }
            return armed
        }
        if hold {
            _ = gate.wait(timeout: .now() + 30)
            lock.withLock { holding = false }
        }
        return Date()
    }
}
