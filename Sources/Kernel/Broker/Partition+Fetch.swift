/// One partition's part of a fetch, in one hop to the partition actor.
extension Partition {
    /// Reads for a consumer (or, with `replicaId` ≥ 0, a follower), then takes the high
    /// watermark and log start offset as they are after the read, as the response carries
    /// them. One hop where a read and two property reads were three.
    ///
    /// A consumer's read that finds nothing (no error, no records, the offset at the high
    /// watermark, or for read_committed at the last stable offset) also returns a `PartitionFetchMark`, so that the next fetch of the same
    /// reader can skip the partition while it is unchanged. The change counter is taken
    /// before the read: a change during it makes the mark stale, never wrong.
    ///
    /// A read_committed read stops at the last stable offset and lists the aborted
    /// transactions from the fetch offset to that bound (a superset of those the returned
    /// batches touch, never fewer), from storage's index.
    func fetch(_ spec: FetchRequest.PartitionSpec, maxBytes: Int, minOneBatch: Bool, replicaId: Int32,
               readCommitted: Bool = false) async -> FetchPartitionResult {
        let version = changes.version
        let result: Result<LogReadResult, BrokerError>
        let committed = readCommitted && replicaId < 0
        var aborted: [AbortedTransaction]?
        do {
            // Taken before the read: the records read are below it, so the aborted list
            // computed up to it covers them all.
            let stable = committed ? try await loadedLastStableOffset() : lastStableOffset
            if replicaId >= 0 {
                result = .success(try await readForReplica(replicaId, from: spec.offset, maxBytes: maxBytes, minOneBatch: minOneBatch,
                                                           currentLeaderEpoch: spec.currentLeaderEpoch))
            } else {
                let read = try await read(from: spec.offset, maxBytes: maxBytes, minOneBatch: minOneBatch,
                                          currentLeaderEpoch: spec.currentLeaderEpoch,
                                          anyReplica: replicaId == FetchRequest.debuggingReplicaId, committed: committed)
                if committed {
                    aborted = read.payload.byteCount == 0 ? [] : try await abortedTransactions(from: spec.offset, upTo: max(stable, lastStableOffset))
                }
                result = .success(read)
            }
        } catch let error as BrokerError {
            result = .failure(error)
        } catch {
            result = .failure(.storage("\(error)"))
        }
        var fetched = FetchPartitionResult(topicPartition: spec.topicPartition, result: result,
                                           highWatermark: highWatermark, logStartOffset: logStartOffset)
        fetched.lastStableOffset = lastStableOffset
        fetched.abortedTransactions = aborted
        if replicaId < 0, case .success(let read) = result, read.payload.byteCount == 0,
           spec.offset == (committed ? lastStableOffset : highWatermark) {
            fetched.mark = PartitionFetchMark(changes: changes, version: version, fetchOffset: spec.offset,
                                              currentLeaderEpoch: spec.currentLeaderEpoch, highWatermark: highWatermark,
                                              logStartOffset: logStartOffset, lastStableOffset: lastStableOffset,
                                              readCommitted: committed)
        }
        return fetched
    }
}
