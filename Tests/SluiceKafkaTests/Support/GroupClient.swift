@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel

/// Broker settings for group tests: no initial rebalance delay, so a lone member's first
/// join completes at once.
func groupTestBroker() -> BrokerConfig {
    var config = BrokerConfig()
    config.groupInitialRebalanceDelayMs = 0
    return config
}

/// The group calls a consumer makes, each one request in the version given.
extension KafkaClient {
    func joinGroup(_ group: String, memberId: String = "", instance: String? = nil, version: Int16? = nil,
                   metadata: [UInt8] = [1], sessionTimeoutMs: Int32 = 60_000, rebalanceTimeoutMs: Int32 = 60_000) async throws -> KafkaWire.JoinGroupResponse {
        var request = KafkaWire.JoinGroupRequest()
        request.groupId = group
        request.memberId = memberId
        request.groupInstanceId = instance
        request.sessionTimeoutMs = sessionTimeoutMs
        request.rebalanceTimeoutMs = rebalanceTimeoutMs
        request.protocolType = "consumer"
        request.protocols = [.init(name: "range", metadata: ByteBuffer(bytes: metadata))]
        return try await send(request, version: version)
    }

    /// Joins as a new member, doing the MEMBER_ID_REQUIRED round trip when the broker asks.
    func joinNewMember(_ group: String, version: Int16? = nil) async throws -> KafkaWire.JoinGroupResponse {
        let first = try await joinGroup(group, version: version)
        guard first.errorCode == KafkaErrorCode.memberIdRequired.rawValue else { return first }
        return try await joinGroup(group, memberId: first.memberId, version: version)
    }

    func syncGroup(_ group: String, generation: Int32, memberId: String,
                   assignments: [String: [UInt8]] = [:], version: Int16? = nil) async throws -> KafkaWire.SyncGroupResponse {
        var request = SyncGroupRequest()
        request.groupId = group
        request.generationId = generation
        request.memberId = memberId
        request.assignments = assignments.map { .init(memberId: $0.key, assignment: ByteBuffer(bytes: $0.value)) }
        return try await send(request, version: version)
    }

    func heartbeat(_ group: String, generation: Int32, memberId: String) async throws -> KafkaErrorCode {
        var request = HeartbeatRequest()
        request.groupId = group
        request.generationId = generation
        request.memberId = memberId
        return KafkaErrorCode(rawValue: try await send(request).errorCode)
    }

    func commit(_ group: String, _ offsets: [(topic: String, partition: Int32, offset: Int64)], generation: Int32 = -1,
                memberId: String = "", leaderEpoch: Int32 = -1, metadata: String? = nil, version: Int16? = nil) async throws -> [Int16] {
        var request = OffsetCommitRequest()
        request.groupId = group
        request.generationIdOrMemberEpoch = generation
        request.memberId = memberId
        let topics = Dictionary(grouping: offsets, by: \.topic)
        request.topics = topics.keys.sorted().map { name in
            .init(name: name, partitions: topics[name]!.map {
                .init(partitionIndex: $0.partition, committedOffset: $0.offset, committedLeaderEpoch: leaderEpoch, committedMetadata: metadata)
            })
        }
        let response = try await send(request, version: version)
        return response.topics.flatMap { $0.partitions.map(\.errorCode) }
    }
}
