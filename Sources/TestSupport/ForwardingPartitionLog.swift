import Foundation
import SluiceKernel

/// A test wrapper around a real `PartitionLog`: every call goes to `inner` unless the
/// wrapper declares its own, so a test double states only the call it changes (an
/// append held at a gate, a read served from a file region) and cannot drift from the
/// storage contract as it grows.
public protocol ForwardingPartitionLog: PartitionLog {
    /// The log every call not declared by the wrapper is passed to.
    var inner: any PartitionLog { get }
}

extension ForwardingPartitionLog {
    public var topicPartition: TopicPartition { inner.topicPartition }

    public func append(_ batches: [RecordBatch]) async throws -> LogAppendInfo { try await inner.append(batches) }

    public func read(from offset: Int64, maxBytes: Int, maxOffset: Int64?, minOneBatch: Bool) async throws -> LogReadResult {
        try await inner.read(from: offset, maxBytes: maxBytes, maxOffset: maxOffset, minOneBatch: minOneBatch)
    }

    public func batch(atOrAfterTimestamp timestamp: Int64) async throws -> LogBatchPosition? {
        try await inner.batch(atOrAfterTimestamp: timestamp)
    }

    public func batchWithMaxTimestamp() async throws -> LogBatchPosition? { try await inner.batchWithMaxTimestamp() }

    public func offsets() async throws -> LogOffsets { try await inner.offsets() }

    public func truncate(to offset: Int64) async throws { try await inner.truncate(to: offset) }

    public func applyRetention(_ policy: RetentionPolicy, now: Date) async throws -> RetentionResult {
        try await inner.applyRetention(policy, now: now)
    }

    public func flush() async throws { try await inner.flush() }

    public func compactionStats(_ policy: CompactionPolicy, now: Date) async throws -> CompactionStats {
        try await inner.compactionStats(policy, now: now)
    }

    public func compact(_ policy: CompactionPolicy, now: Date) async throws -> CompactionResult {
        try await inner.compact(policy, now: now)
    }

    public func advanceLogStart(to offset: Int64) async throws -> Int64 { try await inner.advanceLogStart(to: offset) }

    public func truncateFully(startingAt offset: Int64) async throws { try await inner.truncateFully(startingAt: offset) }

    public func recordAbortedTransaction(_ entry: AbortedTransactionEntry) async throws {
        try await inner.recordAbortedTransaction(entry)
    }

    public func abortedTransactions(from offset: Int64, upTo end: Int64) async throws -> [AbortedTransactionEntry] {
        try await inner.abortedTransactions(from: offset, upTo: end)
    }

    public func storeProducerStateScanStart(_ offset: Int64) async throws { try await inner.storeProducerStateScanStart(offset) }

    public func producerStateScanStart() async throws -> Int64? { try await inner.producerStateScanStart() }
}
