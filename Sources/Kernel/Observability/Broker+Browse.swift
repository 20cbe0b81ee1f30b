import NIOCore

extension Broker {
    /// Whole batches of one partition from the batch holding `offset`, up to `maxBytes`
    /// (at least one batch), for admin tools such as the HTTP record browser. Unlike
    /// `fetch` it never waits and is not counted in `sluice_fetched_records_total`.
    /// Throws `unknownTopicOrPartition` or `offsetOutOfRange` (outside [log start, log end]).
    public func browse(_ tp: TopicPartition, from offset: Int64, maxBytes: Int) async throws(BrokerError) -> LogReadResult {
        guard let partition = partition(tp) else { throw .unknownTopicOrPartition(tp.topic, tp.partition) }
        do {
            return try await partition.read(from: offset, maxBytes: maxBytes, minOneBatch: true)
        } catch let error as BrokerError {
            throw error
        } catch {
            throw .storage("\(error)")
        }
    }
}
