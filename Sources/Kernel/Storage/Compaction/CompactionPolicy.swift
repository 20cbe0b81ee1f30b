import Foundation
import NIOCore

/// How a compacted topic's log is cleaned (`cleanup.policy=compact`): Kafka's topic
/// configs of the same names. The broker builds one per topic from its configs and
/// passes it to `PartitionLog.compact(_:now:)`.
public struct CompactionPolicy: Sendable {
    /// How long a tombstone (a record with a null value) stays readable after the cleaner
    /// first keeps it, in milliseconds (`delete.retention.ms`, default 86400000 = 1 day).
    /// The cleaner stamps `now + deleteRetentionMs` in the batch as its delete horizon
    /// (KIP-534: attribute bit 0x40, horizon in `baseTimestamp`) and removes the tombstone
    /// on a later pass once the horizon has passed.
    public var deleteRetentionMs: Int64
    /// Records newer than this stay uncompacted, in milliseconds: a segment whose max
    /// timestamp is within the lag of `now` is not cleaned (`min.compaction.lag.ms`,
    /// default 0).
    public var minCompactionLagMs: Int64
    /// The longest a record may stay uncompacted, in milliseconds: a log whose first dirty
    /// batch is older is cleaned whatever its dirty ratio (`max.compaction.lag.ms`,
    /// default Int64.max = never forces).
    public var maxCompactionLagMs: Int64
    /// Clean only when dirty bytes / (clean + dirty bytes) exceeds this
    /// (`min.cleanable.dirty.ratio`, default 0.5; 0 cleans whenever anything is dirty).
    public var minCleanableDirtyRatio: Double
    /// Decompresses and recompresses compressed batches. The kernel does not link any
    /// compression library, so the broker passes one (SluiceCompression's
    /// `CompressionBatchCodec`). Without it, compacting a log that holds a compressed
    /// batch throws `StorageError.compactionCodecMissing` and changes nothing.
    public var codec: (any RecordBatchCodec)?
    /// No segment holding an offset at or past this one is cleaned (default Int64.max).
    /// The broker passes the partition's high watermark, as Kafka bounds its cleaner at
    /// the last stable offset: records a follower may still truncate away on a leader
    /// change must keep their batch boundaries.
    public var maxCleanableOffset: Int64

    public init(deleteRetentionMs: Int64 = 86_400_000, minCompactionLagMs: Int64 = 0,
                maxCompactionLagMs: Int64 = Int64.max, minCleanableDirtyRatio: Double = 0.5,
                codec: (any RecordBatchCodec)? = nil, maxCleanableOffset: Int64 = Int64.max) {
        self.deleteRetentionMs = deleteRetentionMs
        self.minCompactionLagMs = minCompactionLagMs
        self.maxCompactionLagMs = maxCompactionLagMs
        self.minCleanableDirtyRatio = minCleanableDirtyRatio
        self.codec = codec
        self.maxCleanableOffset = maxCleanableOffset
    }
}

/// Compression for the cleaner: turns the bytes after a batch's 61-byte header into the
/// uncompressed record bytes and back. Implemented outside the kernel (SluiceCompression).
public protocol RecordBatchCodec: Sendable {
    func decompress(_ compression: RecordBatch.Compression, _ body: ByteBuffer) throws -> ByteBuffer
    func compress(_ compression: RecordBatch.Compression, _ body: ByteBuffer) throws -> ByteBuffer
}

/// How dirty a log is, asked without cleaning (cheap: from segment sizes and the
/// cleaner's checkpoint), so a scheduler can pick the filthiest log.
public struct CompactionStats: Sendable, Equatable {
    /// Where the uncleaned part begins (the cleaner checkpoint, at least the log start).
    public var firstDirtyOffset: Int64
    /// Where the cleanable range ends: the active segment's base offset, or earlier when
    /// `minCompactionLagMs` holds newer segments back.
    public var firstUncleanableOffset: Int64
    /// Bytes already cleaned, in [logStart, firstDirtyOffset).
    public var cleanBytes: Int64
    /// Bytes cleanable but not yet cleaned, in [firstDirtyOffset, firstUncleanableOffset).
    public var dirtyBytes: Int64
    /// `maxCompactionLagMs` has passed for the first dirty batch.
    public var maxLagExceeded: Bool
    /// A tombstone kept by an earlier pass has reached its delete horizon.
    public var deleteHorizonReached: Bool

    public init(firstDirtyOffset: Int64, firstUncleanableOffset: Int64, cleanBytes: Int64, dirtyBytes: Int64,
                maxLagExceeded: Bool, deleteHorizonReached: Bool) {
        self.firstDirtyOffset = firstDirtyOffset
        self.firstUncleanableOffset = firstUncleanableOffset
        self.cleanBytes = cleanBytes
        self.dirtyBytes = dirtyBytes
        self.maxLagExceeded = maxLagExceeded
        self.deleteHorizonReached = deleteHorizonReached
    }

    /// dirty / (clean + dirty), 0 when both are 0.
    public var dirtyRatio: Double {
        let total = cleanBytes + dirtyBytes
        return total == 0 ? 0 : Double(dirtyBytes) / Double(total)
    }

    /// Bytes a clean would read: the whole cleanable range.
    public var cleanableBytes: Int64 { cleanBytes + dirtyBytes }

    /// Whether `compact` would clean now: the dirty ratio exceeds the policy's minimum (as
    /// Kafka compares, strictly), the max lag has passed, or a delete horizon is reached.
    public func isDue(_ policy: CompactionPolicy) -> Bool {
        (dirtyBytes > 0 && dirtyRatio > policy.minCleanableDirtyRatio)
            || (dirtyBytes > 0 && maxLagExceeded) || deleteHorizonReached
    }
}

/// What one `compact` call did.
public struct CompactionResult: Sendable, Equatable {
    /// False when the log was not due (`CompactionStats.isDue`) and nothing was touched.
    public var cleaned: Bool
    /// The dirty ratio before cleaning.
    public var dirtyRatioBefore: Double
    /// Batch bytes read while building the offset map and while rewriting.
    public var bytesRead: Int64
    /// Batch bytes written for the cleaned segments.
    public var bytesWritten: Int64
    public var recordsKept: Int64
    public var recordsRemoved: Int64
    /// Tombstones removed because their delete horizon had passed (counted in `recordsRemoved`).
    public var tombstonesRemoved: Int64
    /// Segments rewritten.
    public var segmentsCleaned: Int
    /// Segments the cleaned ones became after small ones were merged.
    public var segmentsAfter: Int
    /// The new cleaner checkpoint: everything before it is clean. Less than
    /// `firstUncleanableOffset` when the offset map filled (the rest waits for the next pass).
    public var cleanedUpTo: Int64
    /// Wall time spent, in seconds.
    public var durationSeconds: Double

    public init(cleaned: Bool, dirtyRatioBefore: Double, bytesRead: Int64 = 0, bytesWritten: Int64 = 0,
                recordsKept: Int64 = 0, recordsRemoved: Int64 = 0, tombstonesRemoved: Int64 = 0,
                segmentsCleaned: Int = 0, segmentsAfter: Int = 0, cleanedUpTo: Int64, durationSeconds: Double = 0) {
        self.cleaned = cleaned
        self.dirtyRatioBefore = dirtyRatioBefore
        self.bytesRead = bytesRead
        self.bytesWritten = bytesWritten
        self.recordsKept = recordsKept
        self.recordsRemoved = recordsRemoved
        self.tombstonesRemoved = tombstonesRemoved
        self.segmentsCleaned = segmentsCleaned
        self.segmentsAfter = segmentsAfter
        self.cleanedUpTo = cleanedUpTo
        self.durationSeconds = durationSeconds
    }

    /// The result of a call that found the log not due.
    public static func notDue(_ stats: CompactionStats) -> CompactionResult {
        CompactionResult(cleaned: false, dirtyRatioBefore: stats.dirtyRatio, cleanedUpTo: stats.firstDirtyOffset)
    }
}

extension CompactionResult {
    /// Adds one batch's outcome to the record counts (bytes are counted by the caller,
    /// which knows what it read and wrote).
    public mutating func count(_ outcome: BatchCompactionOutcome) {
        recordsKept += Int64(outcome.recordsKept)
        recordsRemoved += Int64(outcome.recordsRemoved)
        tombstonesRemoved += Int64(outcome.tombstonesRemoved)
    }
}
