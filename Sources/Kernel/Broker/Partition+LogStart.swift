import Foundation

/// Moving the log start forward: Kafka's DeleteRecords on the leader (or a single node),
/// and a follower following its leader's log start.
extension Partition {
    /// DeleteRecords: makes `offset` the log start (`-1` means the high watermark, as in
    /// Kafka). Offsets below the current start leave it as it is; offsets past the high
    /// watermark are refused with `offsetOutOfRange`. In cluster mode only the leader
    /// accepts it, and followers move their own start when their next fetch answer
    /// carries the leader's. Returns the log start afterwards (the low watermark).
    func deleteRecords(before offset: Int64) async throws(BrokerError) -> Int64 {
        await beginAppend()
        defer { endAppend() }
        if clustered { _ = try checkLeaderForAppend(minInsync: nil) }
        let target = offset == -1 ? highWatermark : offset
        guard target >= 0, target <= highWatermark else {
            throw .offsetOutOfRange(topicPartition, requested: offset, logStartOffset: logStartOffset, logEndOffset: highWatermark)
        }
        guard target > logStartOffset else { return logStartOffset }
        do {
            logStartOffset = try await log.advanceLogStart(to: target)
        } catch {
            throw .storage("\(error)")
        }
        return logStartOffset
    }

    /// A follower adopts the leader's log start (from a fetch answer), bounded by its own
    /// high watermark; a failure is left for the next fetch to retry.
    func followLeaderLogStart(_ leaderLogStart: Int64) async {
        let target = min(leaderLogStart, highWatermark)
        guard target > logStartOffset else { return }
        if let moved = try? await log.advanceLogStart(to: target) { logStartOffset = moved }
    }
}
