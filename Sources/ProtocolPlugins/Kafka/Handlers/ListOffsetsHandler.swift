import KafkaWire
import SluiceKernel

/// ListOffsets 0–9: earliest (-2, and -4 "earliest local": every record is local here),
/// latest (-1, and -5 "latest tiered"), max timestamp (-3), or the first offset at or
/// after a timestamp. v0 answers with its old offsets list. With isolation level 1
/// (read_committed, v2+) "latest" is the last stable offset.
struct ListOffsetsHandler: KafkaApiHandler {
    typealias Special = ListOffsetsRequest.SpecialTimestamp

    func handle(_ request: ListOffsetsRequest, context: RequestContext) async -> ListOffsetsResponse? {
        var response = ListOffsetsResponse()
        let describable = await context.authorized(.describe, .topic, request.topics.map(\.name))
        for topic in request.topics {
            var out = ListOffsetsResponse.Topic()
            out.name = topic.name
            for query in topic.partitions {
                var partition = ListOffsetsResponse.Partition()
                partition.partitionIndex = query.partitionIndex
                guard describable.contains(topic.name) else {
                    partition.errorCode = KafkaErrorCode.topicAuthorizationFailed.rawValue
                    partition.offset = -1
                    partition.timestamp = -1
                    out.partitions.append(partition)
                    continue
                }
                do {
                    let tp = TopicPartition(topic.name, query.partitionIndex)
                    // In cluster mode only the leader answers, in the epoch the client knows.
                    partition.leaderEpoch = try await context.reader.checkLeader(
                        tp, currentLeaderEpoch: query.currentLeaderEpoch)
                    let found = try await context.reader.listOffset(tp, Self.spec(query.timestamp, readCommitted: request.isolationLevel == 1))
                    partition.offset = found.offset
                    partition.timestamp = found.timestamp
                    if found.offset >= 0 { partition.oldStyleOffsets = [found.offset] }
                } catch {
                    partition.errorCode = error.kafkaErrorCode.rawValue
                    context.logger.debug("list offsets \(topic.name)-\(query.partitionIndex): \(error)")
                }
                out.partitions.append(partition)
            }
            response.topics.append(out)
        }
        return response
    }

    static func spec(_ timestamp: Int64, readCommitted: Bool = false) -> OffsetSpec {
        switch timestamp {
        case Special.earliest, Special.earliestLocal: .earliest
        case Special.maxTimestamp: .maxTimestamp
        case Special.latest, Special.latestTiered, ..<0: readCommitted ? .lastStable : .latest
        default: .timestamp(timestamp)
        }
    }
}
