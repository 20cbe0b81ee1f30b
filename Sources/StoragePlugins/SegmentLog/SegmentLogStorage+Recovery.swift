import Foundation
import Logging
import Metrics
import SluiceKernel

/// What opening partitions read: how much of the data a start had to validate.
public struct RecoveryStatistics: Sendable, Equatable {
    /// Partitions opened from their durable summaries alone, without reading a segment.
    public var trustedPartitions = 0
    /// Partitions of which at least one segment was read: bytes after the last flush
    /// validated, a segment checked, or one rebuilt.
    public var recoveredPartitions = 0
    /// Partitions created empty (no directory yet).
    public var createdPartitions = 0
    /// Segments read (`sluice_log_recovered_segments_total`).
    public var recoveredSegments = 0
    /// Bytes of batches validated (`sluice_log_recovered_bytes_total`).
    public var scannedBytes: Int64 = 0

    public init() {}

    /// The counts of `self` not yet in `earlier`.
    func since(_ earlier: RecoveryStatistics) -> RecoveryStatistics {
        var delta = RecoveryStatistics()
        delta.trustedPartitions = trustedPartitions - earlier.trustedPartitions
        delta.recoveredPartitions = recoveredPartitions - earlier.recoveredPartitions
        delta.createdPartitions = createdPartitions - earlier.createdPartitions
        delta.recoveredSegments = recoveredSegments - earlier.recoveredSegments
        delta.scannedBytes = scannedBytes - earlier.scannedBytes
        return delta
    }
}

/// The swift-metrics counters of start-up recovery.
struct RecoveryMetrics: Sendable {
    let recoveredSegments = Counter(label: "sluice_log_recovered_segments_total")
    let recoveredBytes = Counter(label: "sluice_log_recovered_bytes_total")
    let trustedPartitions = Counter(label: "sluice_log_trusted_partitions_total")
    let recoveredPartitions = Counter(label: "sluice_log_recovered_partitions_total")
}

extension SegmentLogStorage {
    /// What opening partitions read since this storage was created; a clean close and
    /// reopen reads nothing (`recoveredSegments` stays 0).
    public var recoveryStatistics: RecoveryStatistics { statistics }

    /// Whether this storage opened after a clean close of the one before it.
    public nonisolated var openedAfterCleanShutdown: Bool { options.checkpoints.openedAfterCleanShutdown }

    func count(_ read: PartitionLoader.Read) {
        if read.created {
            statistics.createdPartitions += 1
        } else if read.recoveredSegments == 0 {
            statistics.trustedPartitions += 1
            metrics.trustedPartitions.increment()
        } else {
            statistics.recoveredPartitions += 1
            metrics.recoveredPartitions.increment()
        }
        statistics.recoveredSegments += read.recoveredSegments
        statistics.scannedBytes += read.scannedBytes
        if read.recoveredSegments > 0 { metrics.recoveredSegments.increment(by: read.recoveredSegments) }
        if read.scannedBytes > 0 { metrics.recoveredBytes.increment(by: Int(read.scannedBytes)) }
    }

    /// One line per batch of opened partitions (start-up, a topic's creation): how many
    /// were trusted as they were and how many had to be read, and how long it took.
    func logOpened(_ delta: RecoveryStatistics, seconds: Double) {
        let metadata: Logger.Metadata = [
            "trusted": "\(delta.trustedPartitions)", "recovered": "\(delta.recoveredPartitions)",
            "created": "\(delta.createdPartitions)", "segmentsRead": "\(delta.recoveredSegments)",
            "bytesValidated": "\(delta.scannedBytes)", "milliseconds": "\(Int((seconds * 1000).rounded()))",
            "after": "\(openedAfterCleanShutdown ? "a clean shutdown" : "an unclean shutdown or none")",
        ]
        logger.notice("opened partitions", metadata: metadata)
    }
}
