import Foundation
import KafkaWire
import SluiceKernel

/// The incremental fetch of a session (KIP-227). The session hands over only the
/// partitions whose marks no longer hold (`FetchSession.stale`); a quiet partition costs an
/// atomic load and is neither read nor carried. An idle fetch therefore does O(changed)
/// work: no per-partition hop, spec or result for the partitions that did not move.
extension FetchHandler {
    /// Serves an incremental request: `reads` are the partitions `begin` found changed,
    /// `skipped` the unchanged others, `generation` the broker's change generation taken
    /// before the marks were checked.
    ///
    /// While fewer than MinBytes were found (and no error), the long poll parks once on the
    /// broker's change generation, not on each partition, then asks the session again which
    /// partitions moved and reads those. With nothing skipped (a follower's session keeps no
    /// marks), the kernel's own long poll waits on the partitions read, as for a full fetch.
    func incremental(id: Int32, reads initial: [SessionRead], skipped: Int, generation initialGeneration: UInt64,
                     request: FetchRequest, usesTopicIds: Bool, replicaId: Int32,
                     context: RequestContext) async -> FetchResponse {
        var response = FetchResponse()
        response.sessionId = id
        let sessions = context.fetchSessions
        let kernelWaits = skipped == 0
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, request.maxWaitMs)))
        let minBytes = max(1, Int(request.minBytes))
        var generation = initialGeneration
        var reads = initial
        var names: [UUID: String]?
        // The last read of each slot this fetch read.
        var results: [Int: (key: FetchSessionKey, fetched: Fetched)] = [:]
        while true {
            if !reads.isEmpty {
                if usesTopicIds, names == nil { names = await topicsById(context.topics) }
                let rereading = Set(reads.map(\.slot))
                let held = results.reduce(0) { rereading.contains($1.key) ? $0 : $0 + $1.value.fetched.recordBytes }
                let fetched = await read(reads.map { ($0.key, $0.request) }, request: request, names: names ?? [:],
                                         usesTopicIds: usesTopicIds, replicaId: replicaId,
                                         maxWaitMs: kernelWaits ? request.maxWaitMs : 0,
                                         maxBytes: Int32(clamping: max(0, Int(request.maxBytes) - held)), context: context)
                for (read, found) in zip(reads, fetched) { results[read.slot] = (read.key, found) }
            }
            if kernelWaits { break }
            let found = results.values.reduce(0) { $0 + $1.fetched.recordBytes }
            let failed = results.values.contains { $0.fetched.state.errorCode != 0 }
            if found >= minBytes || failed || ContinuousClock.now >= deadline || Task.isCancelled { break }
            await context.reader.waitForFetchChanges(after: generation, until: deadline)
            if Task.isCancelled { break }
            generation = context.reader.fetchChangeGeneration
            // Partitions this fetch read and found unchanged since need no second read.
            let unchanged = Set(results.compactMap { slot, entry in entry.fetched.state.mark?.isCurrent == true ? slot : nil })
            guard let next = await sessions.stale(id: id, requestEpoch: request.sessionEpoch,
                                                         readCommitted: request.isolationLevel == 1, skipping: unchanged) else { break }
            reads = next
        }
        guard let included = await sessions.select(id: id, requestEpoch: request.sessionEpoch,
                                                   reads: results.mapValues(\.fetched.state)) else {
            response.errorCode = KafkaErrorCode.invalidFetchSessionEpoch.rawValue
            return response
        }
        response.responses = Self.topics(included.compactMap { slot in results[slot].map { ($0.key, $0.fetched.answer) } })
        return response
    }
}
