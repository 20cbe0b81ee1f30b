import Foundation
import NIOCore

/// A storage plugin: where the records of every topic-partition live.
///
/// The contract is written down as `LogStorageConformance`; every implementation's tests
/// run that suite with their own factory.
public protocol LogStorage: Sendable {
    /// Segment settings used when a topic sets no `segment.bytes` / `segment.ms`.
    var defaultLogConfig: PartitionLogConfig { get }
    /// Retention used when a topic sets no `retention.ms` / `retention.bytes`.
    var defaultRetention: RetentionPolicy { get }
    /// File descriptors one open partition log holds; the broker checks new topics and
    /// partitions against the process's open-file limit with it. Default 0 (none): a
    /// storage that shares a bounded set of descriptors says so in `descriptorBudget`.
    var descriptorsPerPartition: Int { get }
    /// Descriptors the storage holds at most for all its partitions together (a bounded
    /// cache sized to fit the open-file limit when the storage opened), on top of
    /// `descriptorsPerPartition` each. The broker counts it once, not per partition.
    /// Default 0.
    var descriptorBudget: Int { get }

    /// Opens (creating if absent) the log of one partition. Opening an already open
    /// partition returns the same log.
    func open(_ partition: TopicPartition, config: PartitionLogConfig) async throws -> any PartitionLog

    /// Opens several partitions as one step (a topic's creation or growth, start-up): as
    /// `open` for each, in order, returning their logs in the same order. A storage may
    /// make them durable once for all instead of once each (the default opens one by one).
    /// When it throws, partitions it opened before the failure stay open: the caller
    /// deletes them (a failed creation) or closes the storage.
    func open(_ partitions: [(TopicPartition, PartitionLogConfig)]) async throws -> [any PartitionLog]

    /// Closes and removes every byte of one partition (topic deletion).
    func delete(_ partition: TopicPartition) async throws

    /// Partitions that have data in this storage, open or not; the broker compares them
    /// with the metadata registry at start-up to report orphans.
    func storedPartitions() async throws -> [TopicPartition]

    /// Flushes and closes every open log. Later calls on those logs throw `closed`.
    func close() async throws

    /// The directories this storage keeps partitions in (absolute paths), as Kafka's
    /// DescribeLogDirs reports them; empty for storage without files (memory).
    var dataDirectories: [String] { get }
}

extension LogStorage {
    /// No directories: storage without files.
    public var dataDirectories: [String] { [] }
}

extension LogStorage {
    public var descriptorsPerPartition: Int { 0 }
    public var descriptorBudget: Int { 0 }

    /// One `open` after the other.
    public func open(_ partitions: [(TopicPartition, PartitionLogConfig)]) async throws -> [any PartitionLog] {
        var logs: [any PartitionLog] = []
        logs.reserveCapacity(partitions.count)
        for (partition, config) in partitions { logs.append(try await open(partition, config: config)) }
        return logs
    }
}

/// The append-only log of one topic-partition.
///
/// Offsets are contiguous: the first append of an empty log gets offset 0 (or the log
/// start offset), and every batch's base offset is the previous batch's last offset + 1.
public protocol PartitionLog: AnyObject, Sendable {
    var topicPartition: TopicPartition { get }

    /// Appends whole, already validated v2 batches in order, assigning offsets from the
    /// log end offset and rewriting each batch's base offset in place. Durability follows
    /// the plugin's flush policy; when this returns, the records are readable.
    func append(_ batches: [RecordBatch]) async throws -> LogAppendInfo

    /// Whole batches starting with the batch that contains `offset`, stopping before
    /// `maxBytes` would be exceeded — but at least one batch when `minOneBatch` is set and
    /// one exists, even if it alone is larger (as Kafka does) — and never past
    /// `maxOffset` (exclusive; the high watermark). Reading at the log end returns an
    /// empty payload; outside [logStart, logEnd] throws `offsetOutOfRange`.
    func read(from offset: Int64, maxBytes: Int, maxOffset: Int64?, minOneBatch: Bool) async throws -> LogReadResult

    /// The first batch whose max timestamp is at or after `timestamp` (milliseconds),
    /// or nil when every record is older.
    func batch(atOrAfterTimestamp timestamp: Int64) async throws -> LogBatchPosition?

    /// The batch holding the largest timestamp in the log, or nil when empty.
    func batchWithMaxTimestamp() async throws -> LogBatchPosition?

    /// Start offset, end offset and size.
    func offsets() async throws -> LogOffsets

    /// Removes every batch at or after `offset`, which must be a batch boundary (or at/after
    /// the log end, which is a no-op); otherwise throws `notBatchBoundary`.
    func truncate(to offset: Int64) async throws

    /// Deletes whole old data by time and size; never the newest data being written to
    /// (the active segment). Returns how the log start moved.
    func applyRetention(_ policy: RetentionPolicy, now: Date) async throws -> RetentionResult

    /// Makes everything appended so far durable.
    func flush() async throws

    /// How dirty the log is for `policy` at `now`, without cleaning: cheap enough for a
    /// scheduler to ask every log (from segment sizes and the cleaner checkpoint).
    func compactionStats(_ policy: CompactionPolicy, now: Date) async throws -> CompactionStats

    /// Cleans the log as Kafka's log cleaner does when `compactionStats(policy, now:)` says
    /// it is due (otherwise returns `CompactionResult.notDue` and changes nothing): keeps
    /// the latest record per key in [logStart, firstUncleanableOffset), never touches the
    /// active segment, keeps offsets (leaving gaps: a read at a removed offset returns the
    /// next batch), removes tombstones only after their delete horizon (stamped on the
    /// first pass that keeps them), keeps control batches and each producer's last batch,
    /// merges small cleaned segments. Never moves the log start offset. Appends may run
    /// while it cleans. See `BatchCompactor` for the batch rules.
    func compact(_ policy: CompactionPolicy, now: Date) async throws -> CompactionResult

    /// Moves the log start offset forward to `offset` (Kafka's DeleteRecords): offsets
    /// below it are no longer readable (`offsetOutOfRange`, as after retention), and
    /// whole segments entirely below it are deleted. Never moves backward (a lower offset
    /// is a no-op) and never past the log end (throws `offsetOutOfRange`). The new start
    /// survives a close and reopen of durable storage. Returns the log start afterwards.
    func advanceLogStart(to offset: Int64) async throws -> Int64

    /// Empties the log and restarts it at `offset` (Kafka's truncate-fully-and-start-at):
    /// every batch and aborted-transaction entry goes, log start and log end become
    /// `offset` (which may lie past the old log end), and the next append gets `offset`.
    /// A follower does this when the leader's log starts past the follower's log end.
    /// Durable storage keeps the new start across a close and reopen; a crash part-way
    /// leaves either the old log or an empty one, never a mix.
    func truncateFully(startingAt offset: Int64) async throws

    /// Records an aborted transaction in the index kept with the data (Kafka's per-segment
    /// `.txnindex`), after its abort marker at `entry.lastOffset` was appended. The entry
    /// lives with the marker's batch: it goes when retention, DeleteRecords or a truncation
    /// removes the marker, survives a close and reopen of durable storage, and compaction
    /// keeps it. Recording an entry already held (same producer and marker offset) is a
    /// no-op.
    func recordAbortedTransaction(_ entry: AbortedTransactionEntry) async throws

    /// The recorded aborted transactions that overlap offsets [`offset`, `end`): those whose
    /// marker is at or after `offset` and whose first offset is below `end`, in marker
    /// order. Read from the index, never by scanning the data.
    func abortedTransactions(from offset: Int64, upTo end: Int64) async throws -> [AbortedTransactionEntry]

    /// Keeps durably an offset the kernel must rebuild its producer state from (at or below
    /// the first offset of every transaction open in the partition; the kernel's last
    /// stable offset when it wrote it). Durable storage keeps it across a reopen; nil until
    /// first stored. The storage only keeps it: it may be below the log start or past the
    /// log end after retention or truncation, and the kernel clamps it.
    func storeProducerStateScanStart(_ offset: Int64) async throws

    /// The offset last stored with `storeProducerStateScanStart`, nil when none was.
    func producerStateScanStart() async throws -> Int64?
}

/// Per-partition settings a storage plugin honours (topic configs override the plugin's).
public struct PartitionLogConfig: Sendable, Equatable {
    /// Roll a new segment when the active one reaches this many bytes. Default 1 GiB.
    public var segmentBytes: Int
    /// Roll a new segment when the active one is this old, in milliseconds. Default 7 days.
    public var segmentMs: Int64

    public init(segmentBytes: Int = 1 << 30, segmentMs: Int64 = 7 * 24 * 3_600_000) {
        self.segmentBytes = segmentBytes
        self.segmentMs = segmentMs
    }
}

/// How much old data to keep. `nil` means unlimited.
public struct RetentionPolicy: Sendable, Equatable {
    /// Delete data whose newest record is older than this, in milliseconds.
    public var retentionMs: Int64?
    /// Delete the oldest data while the partition is larger than this, in bytes.
    public var retentionBytes: Int64?
    /// Never delete data at or above this offset, whatever its age or the size: a segment
    /// goes only when all of it lies below. The broker sets it to the first offset of the
    /// oldest open transaction, so a transaction is never cut. nil (the default): no bound.
    public var firstOffsetToKeep: Int64?

    public init(retentionMs: Int64? = nil, retentionBytes: Int64? = nil, firstOffsetToKeep: Int64? = nil) {
        self.retentionMs = retentionMs
        self.retentionBytes = retentionBytes
        self.firstOffsetToKeep = firstOffsetToKeep
    }
}

public struct RetentionResult: Sendable, Equatable {
    public var previousLogStartOffset: Int64
    public var logStartOffset: Int64
    public var deletedBytes: Int64
    public init(previousLogStartOffset: Int64, logStartOffset: Int64, deletedBytes: Int64) {
        self.previousLogStartOffset = previousLogStartOffset
        self.logStartOffset = logStartOffset
        self.deletedBytes = deletedBytes
    }
}

/// Offsets of the appended records.
public struct LogAppendInfo: Sendable, Equatable {
    public var firstOffset: Int64
    public var lastOffset: Int64
    /// Log end offset after the append (`lastOffset + 1`).
    public var logEndOffset: Int64
    public var logStartOffset: Int64
    /// The time (milliseconds since the epoch) the broker stamped on the batches of a
    /// LogAppendTime topic; nil for CreateTime topics. Set by the broker, not by storage.
    public var logAppendTime: Int64?
    public init(firstOffset: Int64, lastOffset: Int64, logEndOffset: Int64, logStartOffset: Int64, logAppendTime: Int64? = nil) {
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
        self.logEndOffset = logEndOffset
        self.logStartOffset = logStartOffset
        self.logAppendTime = logAppendTime
    }
}

public struct LogOffsets: Sendable, Equatable {
    /// The first offset still stored.
    public var logStartOffset: Int64
    /// The offset the next record will get.
    public var logEndOffset: Int64
    /// Bytes stored for the partition (batch bytes, not index overhead).
    public var sizeBytes: Int64
    public init(logStartOffset: Int64, logEndOffset: Int64, sizeBytes: Int64) {
        self.logStartOffset = logStartOffset
        self.logEndOffset = logEndOffset
        self.sizeBytes = sizeBytes
    }
}

/// Where a batch sits: its offsets and max timestamp (milliseconds).
public struct LogBatchPosition: Sendable, Equatable {
    public var baseOffset: Int64
    public var lastOffset: Int64
    public var maxTimestamp: Int64
    public init(baseOffset: Int64, lastOffset: Int64, maxTimestamp: Int64) {
        self.baseOffset = baseOffset
        self.lastOffset = lastOffset
        self.maxTimestamp = maxTimestamp
    }
}

public struct LogReadResult: Sendable {
    /// Whole batches, possibly none.
    public var payload: LogPayload
    public var logStartOffset: Int64
    public var logEndOffset: Int64
    public init(payload: LogPayload, logStartOffset: Int64, logEndOffset: Int64) {
        self.payload = payload
        self.logStartOffset = logStartOffset
        self.logEndOffset = logEndOffset
    }
}

/// Batches read from a log: bytes in memory, or a region of a file that a protocol
/// plugin can send with `sendfile` without copying.
public enum LogPayload: Sendable {
    case bytes(ByteBuffer)
    case file(LogFileRegion)

    public static let empty = LogPayload.bytes(ByteBuffer())

    public var byteCount: Int {
        switch self {
        case .bytes(let buffer): buffer.readableBytes
        case .file(let region): region.length
        }
    }

    /// The payload's bytes in memory (reads the file region).
    public func load() throws -> ByteBuffer {
        switch self {
        case .bytes(let buffer): buffer
        case .file(let region): try region.load()
        }
    }
}

/// An open, read-only file descriptor shared by the regions read from it; closed when
/// the last reference goes away, so a segment deleted by retention while a fetch is
/// still sending it stays readable until the send ends.
public final class LogFileHandle: Sendable {
    public let descriptor: CInt
    public let path: String

    /// Takes ownership of `descriptor`.
    public init(descriptor: CInt, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { _ = Foundation.close(descriptor) }
}

/// `length` bytes of whole batches at byte `offset` of a file.
public struct LogFileRegion: Sendable {
    public var file: LogFileHandle
    public var offset: Int64
    public var length: Int

    public init(file: LogFileHandle, offset: Int64, length: Int) {
        self.file = file
        self.offset = offset
        self.length = length
    }

    /// Reads the region into memory with `pread`.
    public func load() throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: length)
        let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { raw in
            var done = 0
            while done < length {
                let n = pread(file.descriptor, raw.baseAddress! + done, length - done, off_t(offset) + off_t(done))
                if n <= 0 { return n < 0 ? -1 : done }
                done += n
            }
            return done
        }
        guard read == length else {
            throw StorageError.io(path: file.path, operation: "read", errno: errno)
        }
        return buffer
    }
}
