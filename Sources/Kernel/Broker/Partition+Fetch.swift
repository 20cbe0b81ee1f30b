/// One partition's part of a fetch, in one hop to the partition actor.
extension Partition {
    /// Reads for a consumer (or, with `replicaId` ≥ 0, a follower), then takes the high
    /// watermark and log start offset as they are after the read, as the response carries
    /// them. One hop where a read and two property reads were three.
    ///
    /// A consumer's read that finds nothing (no error, no records, the offset at the high
    /// watermark) also returns a `PartitionFetchMark`, so that the next fetch of the same
    /// reader can skip the partition while it is unchanged. The change counter is taken
    /// before the read: a change during it makes the mark stale, never wrong.
    func fetch(_ spec: FetchRequest.PartitionSpec, maxBytes: Int, minOneBatch: Bool, replicaId: Int32) async -> FetchPartitionResult {
        let version = changes.version
        let result: Result<LogReadResult, BrokerError>
        do {
            if replicaId >= 0 {
                result = .success(try await readForReplica(replicaId, from: spec.offset, maxBytes: maxBytes, minOneBatch: minOneBatch,
                                                           currentLeaderEpoch: spec.currentLeaderEpoch))
            } else {
                result = .success(try await read(from: spec.offset, maxBytes: maxBytes, minOneBatch: minOneBatch,
                                                 currentLeaderEpoch: spec.currentLeaderEpoch,
                                                 anyReplica: replicaId == FetchRequest.debuggingReplicaId))
            }
        } catch let error as BrokerError {
            result = .failure(error)
        } catch {
            result = .failure(.storage("\(error)"))
        }
        var fetched = FetchPartitionResult(topicPartition: spec.topicPartition, result: result,
                                           highWatermark: highWatermark, logStartOffset: logStartOffset)
        if replicaId < 0, case .success(let read) = result, read.payload.byteCount == 0, spec.offset == highWatermark {
            fetched.mark = PartitionFetchMark(changes: changes, version: version, fetchOffset: spec.offset,
                                              currentLeaderEpoch: spec.currentLeaderEpoch, highWatermark: highWatermark,
                                              logStartOffset: logStartOffset)
        }
        return fetched
    }
}
