import Foundation
import KafkaWire
import SluiceKernel

/// OffsetCommit 0–9: stores the offsets durably (through the metadata plugin) before
/// answering. Partitions of unknown topics and over-long metadata are refused one by one;
/// a membership or storage refusal applies to every partition of the request.
struct OffsetCommitHandler: KafkaApiHandler {
    /// Kafka's `offset.metadata.max.bytes` default: longer metadata strings are refused.
    /// Despite its name Kafka compares it with `String.length()`, UTF-16 code units, so
    /// 3,000 "ü" (6,000 UTF-8 bytes) pass there and must pass here.
    static let maxMetadataLength = 4096

    func handle(_ request: OffsetCommitRequest, context: RequestContext) async -> OffsetCommitResponse? {
        var offsets: [TopicPartition: CommittedOffset] = [:]
        var refused: [TopicPartition: KafkaErrorCode] = [:]
        let now = Date()
        // Read on the group, then Read on each topic (Kafka's rules).
        guard await context.authorize(AuthorizationAction(.read, .group, request.groupId)) else {
            var response = OffsetCommitResponse()
            response.topics = request.topics.map { topic in
                .init(name: topic.name, partitions: topic.partitions.map {
                    .init(partitionIndex: $0.partitionIndex, errorCode: KafkaErrorCode.groupAuthorizationFailed.rawValue)
                })
            }
            return response
        }
        let readable = await context.authorized(.read, .topic, request.topics.map(\.name))
        for topic in request.topics {
            let record = await context.topics.topic(named: topic.name)
            for partition in topic.partitions {
                let tp = TopicPartition(topic.name, partition.partitionIndex)
                guard readable.contains(topic.name) else {
                    refused[tp] = .topicAuthorizationFailed
                    continue
                }
                guard let record, (0..<record.partitionCount).contains(partition.partitionIndex) else {
                    refused[tp] = .unknownTopicOrPartition
                    continue
                }
                if let metadata = partition.committedMetadata, metadata.utf16.count > Self.maxMetadataLength {
                    refused[tp] = .offsetMetadataTooLarge
                    continue
                }
                // v1 may carry the commit time; later versions leave it to the broker.
                let time = partition.commitTimestamp >= 0 ? Date(timeIntervalSince1970: Double(partition.commitTimestamp) / 1000) : now
                offsets[tp] = CommittedOffset(offset: partition.committedOffset,
                                              leaderEpoch: partition.committedLeaderEpoch >= 0 ? partition.committedLeaderEpoch : nil,
                                              metadata: partition.committedMetadata, commitTime: time)
            }
        }
        let error = await context.groups.commitOffsets(
            groupId: request.groupId, generationId: request.generationIdOrMemberEpoch, memberId: request.memberId,
            groupInstanceId: request.groupInstanceId, offsets: offsets)
        if case .storage(let why)? = error {
            context.logger.error("committing offsets of group '\(request.groupId)' failed: \(why)")
        }
        var response = OffsetCommitResponse()
        response.topics = request.topics.map { topic in
            .init(name: topic.name, partitions: topic.partitions.map { partition in
                let tp = TopicPartition(topic.name, partition.partitionIndex)
                return .init(partitionIndex: partition.partitionIndex, errorCode: (refused[tp] ?? error?.kafkaErrorCode ?? .none).rawValue)
            })
        }
        return response
    }
}

/// OffsetFetch 0–9: one group (v0–7) or several (v8+). Partitions without a commit are
/// answered with offset -1, which clients read as "use auto.offset.reset". With
/// `require_stable` (v7+, KIP-447), partitions whose offsets an open transaction has
/// staged answer UNSTABLE_OFFSET_COMMIT, and the client retries.
struct OffsetFetchHandler: KafkaApiHandler {
    func handle(_ request: OffsetFetchRequest, context: RequestContext) async -> OffsetFetchResponse? {
        var response = OffsetFetchResponse()
        if context.version >= 8 {
            for group in request.groups {
                var entry = OffsetFetchResponse.Group()
                entry.groupId = group.groupId
                (entry.topics, entry.errorCode) = await fetch(group.groupId, group.topics, requireStable: request.requireStable, context: context)
                response.groups.append(entry)
            }
            return response
        }
        let (topics, error) = await fetch(request.groupId, request.topics, requireStable: context.version >= 7 && request.requireStable,
                                          context: context)
        response.topics = topics
        if context.version >= 2 {
            response.errorCode = error
        } else if error != 0 {
            // v0–1 have no group-level error: every partition carries it.
            for t in response.topics.indices {
                for p in response.topics[t].partitions.indices { response.topics[t].partitions[p].errorCode = error }
            }
        }
        return response
    }

    /// The offsets of `topics` (nil: every partition the group committed) and the
    /// group-level error code.
    private func fetch(_ groupId: String, _ topics: [OffsetFetchRequest.Topic]?, requireStable: Bool,
                       context: RequestContext) async -> ([OffsetFetchResponse.Topic], Int16) {
        // Describe on the group, then Describe on each topic: named topics without it
        // answer TOPIC_AUTHORIZATION_FAILED, and "all topics" leaves them out (Kafka's rules).
        guard await context.authorize(AuthorizationAction(.describe, .group, groupId)) else {
            let asked = (topics ?? []).map { OffsetFetchResponse.Topic(name: $0.name, partitions: $0.partitionIndexes.map(Self.noOffset)) }
            return (asked, KafkaErrorCode.groupAuthorizationFailed.rawValue)
        }
        var (answer, error) = await fetchCommitted(groupId, topics, context: context)
        let describable = await context.authorized(.describe, .topic, answer.map(\.name))
        if topics == nil {
            answer = answer.filter { describable.contains($0.name) }
        } else {
            for t in answer.indices where !describable.contains(answer[t].name) {
                answer[t].partitions = answer[t].partitions.map {
                    var partition = Self.noOffset($0.partitionIndex)
                    partition.errorCode = KafkaErrorCode.topicAuthorizationFailed.rawValue
                    return partition
                }
            }
        }
        guard requireStable, error == 0, let unstable = try? await context.groups.unstableOffsets(groupId: groupId), !unstable.isEmpty else {
            return (answer, error)
        }
        for t in answer.indices {
            for p in answer[t].partitions.indices where unstable.contains(TopicPartition(answer[t].name, answer[t].partitions[p].partitionIndex)) {
                answer[t].partitions[p] = Self.noOffset(answer[t].partitions[p].partitionIndex)
                answer[t].partitions[p].errorCode = KafkaErrorCode.unstableOffsetCommit.rawValue
            }
        }
        return (answer, error)
    }

    private func fetchCommitted(_ groupId: String, _ topics: [OffsetFetchRequest.Topic]?,
                                context: RequestContext) async -> ([OffsetFetchResponse.Topic], Int16) {
        let committed: [TopicPartition: CommittedOffset]
        if await !context.groups.coordinates(groupId) {
            let asked = (topics ?? []).map { OffsetFetchResponse.Topic(name: $0.name, partitions: $0.partitionIndexes.map(Self.noOffset)) }
            return (asked, KafkaErrorCode.notCoordinator.rawValue)
        }
        do {
            committed = try await context.groups.fetchOffsets(groupId: groupId, partitions: nil)
        } catch {
            context.logger.error("reading committed offsets of group '\(groupId)' failed: \(error)")
            let asked = (topics ?? []).map { OffsetFetchResponse.Topic(name: $0.name, partitions: $0.partitionIndexes.map(Self.noOffset)) }
            return (asked, KafkaErrorCode.coordinatorNotAvailable.rawValue)
        }
        guard let topics else {
            let byTopic = Dictionary(grouping: committed.keys.sorted(), by: \.topic)
            let answer = byTopic.keys.sorted().map { name in
                OffsetFetchResponse.Topic(name: name, partitions: byTopic[name]!.map { Self.partition($0.partition, committed[$0]) })
            }
            return (answer, 0)
        }
        let answer = topics.map { topic in
            OffsetFetchResponse.Topic(name: topic.name, partitions: topic.partitionIndexes.map {
                Self.partition($0, committed[TopicPartition(topic.name, $0)])
            })
        }
        return (answer, 0)
    }

    static func partition(_ index: Int32, _ offset: CommittedOffset?) -> OffsetFetchResponse.Partition {
        guard let offset else { return noOffset(index) }
        var partition = OffsetFetchResponse.Partition()
        partition.partitionIndex = index
        partition.committedOffset = offset.offset
        partition.committedLeaderEpoch = offset.leaderEpoch ?? -1
        partition.metadata = offset.metadata ?? ""
        return partition
    }

    static func noOffset(_ index: Int32) -> OffsetFetchResponse.Partition {
        var partition = OffsetFetchResponse.Partition()
        partition.partitionIndex = index
        partition.metadata = ""
        return partition
    }
}
