import Foundation
import SluiceKernel

extension SegmentLogStorage {
    /// Opens the partitions one after the other with their fsyncs put off, then makes all
    /// of them durable with one `syncfs` (see `SyncDeferral`): a topic of 10,000
    /// partitions is created, and a node holding them starts, in seconds instead of
    /// minutes. Nothing is acknowledged before that sync: the broker registers a new
    /// topic, and serves at start-up, only once this returns. Their durable summaries go
    /// to the recovery checkpoint only then, and one line logs what the opens read.
    public func open(_ partitions: [(TopicPartition, PartitionLogConfig)]) async throws -> [any PartitionLog] {
        let started = ContinuousClock.now
        let before = statistics
        let deferral = SyncDeferral()
        let logs: [any PartitionLog]
        do {
            logs = try await SyncDeferral.$current.withValue(deferral) {
                var logs: [any PartitionLog] = []
                logs.reserveCapacity(partitions.count)
                for (partition, config) in partitions { logs.append(try await open(partition, config: config)) }
                return logs
            }
        } catch {
            // The caller deletes what was opened (a creation) or stops (start-up, which
            // recovers again next time): nothing here needs to be durable.
            try? deferral.end(syncing: nil)
            throw error
        }
        try deferral.end(syncing: directory)
        for case let log as SegmentPartitionLog in logs { await log.publishDurableSummary() }
        if !partitions.isEmpty {
            let elapsed = started.duration(to: .now)
            logOpened(statistics.since(before),
                      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return logs
    }
}
