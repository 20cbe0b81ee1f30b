/// One partition's part of a fetch, in one hop to the partition actor.
extension Partition {
    /// Reads for a consumer (or, with `replicaId` ≥ 0, a follower), then takes the high
    /// watermark and log start offset as they are after the read, as the response carries
    /// them. One hop where a read and two property reads were three.
    func fetch(_ spec: FetchRequest.PartitionSpec, maxBytes: Int, minOneBatch: Bool, replicaId: Int32) async -> FetchPartitionResult {
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
        return FetchPartitionResult(topicPartition: spec.topicPartition, result: result,
                                    highWatermark: highWatermark, logStartOffset: logStartOffset)
    }
}
