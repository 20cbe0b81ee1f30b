import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

/// Static membership (KIP-345) on the wire: the versions that carry group_instance_id,
/// FENCED_INSTANCE_ID (82) for a replaced member id, LeaveGroup by instance id and
/// DescribeGroups' instance ids, through a real server and the Swift client.
@Suite struct StaticMemberHandlerTests {
    @Test func aRestartKeepsTheGenerationAndTheOldIdIsFencedOnEveryApi() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let client = try await server.client()
            try await client.createTopic("s", partitions: 1)
            let first = try await client.joinGroup("static", instance: "pod-a", version: 5)
            #expect(first.errorCode == 0, "a static member needs no MEMBER_ID_REQUIRED round trip")
            var sync = SyncGroupRequest()
            sync.groupId = "static"
            sync.generationId = first.generationId
            sync.memberId = first.memberId
            sync.groupInstanceId = "pod-a"
            sync.assignments = [.init(memberId: first.memberId, assignment: ByteBuffer(bytes: [4, 2]))]
            #expect(try await client.send(sync, version: 3).errorCode == 0)

            let restarted = try await client.joinGroup("static", instance: "pod-a", version: 5)
            #expect(restarted.errorCode == 0)
            #expect(restarted.generationId == first.generationId, "no rebalance")
            #expect(restarted.leader == first.memberId, "the leader id from before the replacement")
            #expect(restarted.members.isEmpty)
            sync.memberId = restarted.memberId
            sync.assignments = []
            let back = try await client.send(sync, version: 3)
            #expect(back.errorCode == 0 && back.assignment == ByteBuffer(bytes: [4, 2]), "the old assignment comes back")

            let fenced = KafkaErrorCode.fencedInstanceId.rawValue
            var heartbeat = HeartbeatRequest()
            heartbeat.groupId = "static"
            heartbeat.generationId = first.generationId
            heartbeat.memberId = first.memberId
            heartbeat.groupInstanceId = "pod-a"
            #expect(try await client.send(heartbeat, version: 3).errorCode == fenced)
            sync.memberId = first.memberId
            #expect(try await client.send(sync, version: 3).errorCode == fenced)
            var commit = OffsetCommitRequest()
            commit.groupId = "static"
            commit.generationIdOrMemberEpoch = first.generationId
            commit.memberId = first.memberId
            commit.groupInstanceId = "pod-a"
            commit.topics = [.init(name: "s", partitions: [.init(partitionIndex: 0, committedOffset: 1)])]
            #expect(try await client.send(commit, version: 7).topics.first?.partitions.first?.errorCode == fenced)
            let rejoin = try await client.joinGroup("static", memberId: first.memberId, instance: "pod-a", version: 5)
            #expect(rejoin.errorCode == fenced)
            await client.close()
        }
    }

    @Test func leaveGroupByInstanceIdAnswersPerMemberAndDescribeShowsInstanceIds() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let a = try await server.client(id: "a")
            let b = try await server.client(id: "b")
            let first = try await a.joinGroup("admin", instance: "pod-a", version: 5)
            _ = try await a.syncGroup("admin", generation: first.generationId, memberId: first.memberId)
            async let bJoin = b.joinGroup("admin", instance: "pod-b", version: 5)
            for _ in 0..<500 where await server.broker.groups.describe(groupId: "admin").members.count < 2 {
                try await Task.sleep(for: .milliseconds(10))
            }
            let aJoin = try await a.joinGroup("admin", memberId: first.memberId, instance: "pod-a", version: 5)
            let bJoined = try await bJoin
            #expect(Set(aJoin.members.compactMap(\.groupInstanceId)) == ["pod-a", "pod-b"], "JoinGroup v5 carries instance ids")
            async let bSync = b.syncGroup("admin", generation: bJoined.generationId, memberId: bJoined.memberId)
            _ = try await a.syncGroup("admin", generation: aJoin.generationId, memberId: aJoin.memberId)
            _ = try await bSync

            var describe = DescribeGroupsRequest()
            describe.groups = ["admin"]
            let v4 = try await a.send(describe, version: 4)
            #expect(Set(v4.groups[0].members.compactMap(\.groupInstanceId)) == ["pod-a", "pod-b"])
            let v3 = try await a.send(describe, version: 3)
            #expect(v3.groups[0].members.allSatisfy { $0.groupInstanceId == nil }, "not on the wire before v4")

            var leave = LeaveGroupRequest()
            leave.groupId = "admin"
            leave.members = [.init(memberId: "", groupInstanceId: "pod-b"), .init(memberId: "", groupInstanceId: "pod-x")]
            let answer = try await a.send(leave, version: 3)
            #expect(answer.errorCode == 0)
            #expect(answer.members.map(\.groupInstanceId) == ["pod-b", "pod-x"])
            #expect(answer.members.map(\.errorCode) == [0, KafkaErrorCode.unknownMemberId.rawValue])
            let after = try await a.send(describe, version: 5)
            #expect(after.groups[0].members.map(\.groupInstanceId) == ["pod-a"])
            for client in [a, b] { await client.close() }
        }
    }
}
