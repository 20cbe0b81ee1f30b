/// A consumer's read as a fetch makes it: the read, the offsets the answer carries and a
/// mark for answering the next fetch without a read, in one hop.
extension Partition {
    struct FetchRead: Sendable {
        var result: Result<LogReadResult, BrokerError>
        var highWatermark: Int64
        var logStartOffset: Int64
        /// Set when the read found nothing (no error, no records, offset at the high
        /// watermark), so that an unchanged partition can be answered from it next time.
        var mark: PartitionFetchMark?
    }

    /// Reads like `read(from:…)`, also returning the high watermark and log start after the
    /// read. The change counter is taken before the read: a change during it makes the
    /// mark stale, never wrong.
    func readForFetch(from offset: Int64, maxBytes: Int, minOneBatch: Bool, currentLeaderEpoch: Int32,
                      anyReplica: Bool) async -> FetchRead {
        let version = changes.version
        let result: Result<LogReadResult, BrokerError>
        do {
            result = .success(try await read(from: offset, maxBytes: maxBytes, minOneBatch: minOneBatch,
                                             currentLeaderEpoch: currentLeaderEpoch, anyReplica: anyReplica))
        } catch let error as BrokerError {
            result = .failure(error)
        } catch {
            result = .failure(.storage("\(error)"))
        }
        var mark: PartitionFetchMark?
        if case .success(let read) = result, read.payload.byteCount == 0, offset == highWatermark {
            mark = PartitionFetchMark(changes: changes, version: version, fetchOffset: offset,
                                      currentLeaderEpoch: currentLeaderEpoch, highWatermark: highWatermark,
                                      logStartOffset: logStartOffset)
        }
        return FetchRead(result: result, highWatermark: highWatermark, logStartOffset: logStartOffset, mark: mark)
    }
}
