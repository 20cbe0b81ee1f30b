import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// The log cleaner: on its own task, every `BrokerConfig.logCleanerIntervalMs`, it asks
/// each partition of every topic whose `cleanup.policy` contains `compact` how dirty it is
/// and compacts the ones that are due (dirty ratio above `min.cleanable.dirty.ratio`, a
/// record older than `max.compaction.lag.ms`, or a tombstone past its delete horizon).
/// The storage plugin does the cleaning (`PartitionLog.compact`); appends go on while it
/// runs. `compact,delete` topics also get retention, from the broker's retention pass.
///
/// In cluster mode only the partitions this broker leads are cleaned: a follower's log
/// receives the leader's records as they are fetched, compacted or not, and keeps what it
/// already holds uncompacted.
///
/// Metrics (swift-metrics; the http plugin's /metrics exports them):
/// - `sluice_log_cleaner_bytes_cleaned_total`: bytes read by compactions;
/// - `sluice_log_cleaner_bytes_written_total`: bytes the cleaned segments hold;
/// - `sluice_log_cleaner_records_removed_total`: records compacted away (tombstones included);
/// - `sluice_log_cleaner_dirty_ratio{topic,partition}`: each log's dirty ratio at the last pass;
/// - `sluice_log_cleaner_max_dirty_ratio`: the largest of them;
/// - `sluice_log_cleaner_last_run_timestamp_seconds`: when the last pass ended (Unix time);
/// - `sluice_log_cleaner_run_duration_seconds`: how long each pass took (a timer).
public struct LogCleaner: Service {
    let broker: Broker
    let interval: Duration
    let logger: Logger

    /// - Parameter interval: between passes; default the broker's `logCleanerIntervalMs`.
    public init(broker: Broker, interval: Duration? = nil, logger: Logger) {
        self.broker = broker
        self.interval = interval ?? .milliseconds(broker.config.logCleanerIntervalMs)
        self.logger = logger
    }

    /// Passes until the service group shuts down; a pass in progress finishes its current
    /// partition's compaction (a storage plugin's clean is not interrupted half-way).
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                _ = await runOnce()
            }
        }
    }

    /// One pass over every compacted partition this broker may clean.
    @discardableResult
    public func runOnce() async -> LogCleanerPass {
        let started = ContinuousClock.now
        var pass = LogCleanerPass()
        var maxDirty = 0.0
        for target in await broker.compactionTargets() {
            let tp = target.partition.topicPartition
            let now = broker.clock()
            do {
                let stats = try await target.partition.compactionStats(target.policy, now: now)
                maxDirty = max(maxDirty, stats.dirtyRatio)
                pass.logsChecked += 1
                guard stats.isDue(target.policy) else {
                    LogCleanerMetrics.dirtyRatio(tp).record(stats.dirtyRatio)
                    continue
                }
                let result = try await target.partition.compact(target.policy, now: now)
                let after = try await target.partition.compactionStats(target.policy, now: broker.clock())
                LogCleanerMetrics.dirtyRatio(tp).record(after.dirtyRatio)
                guard result.cleaned else { continue }
                pass.logsCleaned += 1
                pass.bytesRead += result.bytesRead
                pass.bytesWritten += result.bytesWritten
                pass.recordsRemoved += result.recordsRemoved
                LogCleanerMetrics.bytesCleaned.increment(by: Int64(clamping: result.bytesRead))
                LogCleanerMetrics.bytesWritten.increment(by: Int64(clamping: result.bytesWritten))
                LogCleanerMetrics.recordsRemoved.increment(by: Int64(clamping: result.recordsRemoved))
                logger.info("log cleaned", metadata: [
                    "partition": "\(tp)", "dirtyRatio": "\(stats.dirtyRatio)", "bytesRead": "\(result.bytesRead)",
                    "bytesWritten": "\(result.bytesWritten)", "recordsRemoved": "\(result.recordsRemoved)",
                    "tombstonesRemoved": "\(result.tombstonesRemoved)", "cleanedUpTo": "\(result.cleanedUpTo)",
                    "seconds": "\(result.durationSeconds)",
                ])
            } catch {
                pass.failures += 1
                logger.error("cleaning \(tp) failed; it is retried at the next pass: \(error)")
            }
        }
        LogCleanerMetrics.maxDirtyRatio.record(maxDirty)
        LogCleanerMetrics.runDuration.recordMicroseconds((ContinuousClock.now - started).microseconds)
        LogCleanerMetrics.lastRun.record(broker.clock().timeIntervalSince1970)
        return pass
    }
}

/// What one cleaner pass did.
public struct LogCleanerPass: Sendable, Equatable {
    /// Compacted partitions whose dirtiness was asked.
    public var logsChecked = 0
    /// Partitions compacted.
    public var logsCleaned = 0
    public var bytesRead: Int64 = 0
    public var bytesWritten: Int64 = 0
    public var recordsRemoved: Int64 = 0
    /// Partitions whose stats or compaction threw (logged; retried next pass).
    public var failures = 0
    public init() {}
}

/// The cleaner's metrics, by name (see `LogCleaner`).
enum LogCleanerMetrics {
    static let bytesCleaned = Counter(label: "sluice_log_cleaner_bytes_cleaned_total")
    static let bytesWritten = Counter(label: "sluice_log_cleaner_bytes_written_total")
    static let recordsRemoved = Counter(label: "sluice_log_cleaner_records_removed_total")
    static let maxDirtyRatio = Gauge(label: "sluice_log_cleaner_max_dirty_ratio")
    static let lastRun = Gauge(label: "sluice_log_cleaner_last_run_timestamp_seconds")
    static let runDuration = Metrics.Timer(label: "sluice_log_cleaner_run_duration_seconds")

    static func dirtyRatio(_ tp: TopicPartition) -> Gauge {
        Gauge(label: "sluice_log_cleaner_dirty_ratio", dimensions: [("topic", tp.topic), ("partition", "\(tp.partition)")])
    }
}
