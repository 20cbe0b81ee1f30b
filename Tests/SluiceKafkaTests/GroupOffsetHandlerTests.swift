import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

/// Offsets and group administration through a real server and the Swift client.
@Suite struct GroupOffsetHandlerTests {
    @Test func committedOffsetsComeBackWithEpochAndMetadataInEveryLayout() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let client = try await server.client()
            try await client.createTopic("t", partitions: 2)
            let codes = try await client.commit("g", [("t", 0, 10)], leaderEpoch: 7, metadata: "m", version: 8)
            #expect(codes == [0])
            #expect(try await client.commit("g", [("t", 1, 4)], version: 2) == [0])
            #expect(try await client.commit("g", [("nope", 0, 1), ("t", 9, 1)]) == [3, 3])
            let long = String(repeating: "x", count: 5000)
            #expect(try await client.commit("g", [("t", 0, 11)], metadata: long) == [KafkaErrorCode.offsetMetadataTooLarge.rawValue])

            var multi = OffsetFetchRequest()
            multi.groups = [.init(groupId: "g", topics: [.init(name: "t", partitionIndexes: [0, 1])]),
                            .init(groupId: "empty", topics: [.init(name: "t", partitionIndexes: [0])]),
                            .init(groupId: "g", topics: nil)]
            let groups = try await client.send(multi, version: 8).groups
            let p0 = try #require(groups.first?.topics.first?.partitions.first)
            #expect(p0.committedOffset == 10 && p0.committedLeaderEpoch == 7 && p0.metadata == "m")
            #expect(groups[0].topics[0].partitions[1].committedOffset == 4)
            #expect(groups[0].topics[0].partitions[1].committedLeaderEpoch == -1)
            #expect(groups[1].topics[0].partitions[0].committedOffset == -1, "no commit: -1")
            #expect(groups[2].topics.map(\.name) == ["t"] && groups[2].topics[0].partitions.map(\.partitionIndex) == [0, 1])

            var single = OffsetFetchRequest()
            single.groupId = "g"
            single.topics = [.init(name: "t", partitionIndexes: [0])]
            let v1 = try await client.send(single, version: 1)
            #expect(v1.topics[0].partitions[0].committedOffset == 10)
            single.topics = nil
            let v5 = try await client.send(single, version: 5)
            #expect(v5.errorCode == 0 && v5.topics[0].partitions.map(\.committedOffset) == [10, 4])
            #expect(v5.topics[0].partitions[0].committedLeaderEpoch == 7)
            await client.close()
        }
    }

    @Test func commitsAreCheckedAgainstMembership() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let client = try await server.client()
            try await client.createTopic("t")
            let joined = try await client.joinNewMember("members")
            _ = try await client.syncGroup("members", generation: joined.generationId, memberId: joined.memberId)
            #expect(try await client.commit("members", [("t", 0, 5)], generation: joined.generationId, memberId: joined.memberId) == [0])
            #expect(try await client.commit("members", [("t", 0, 6)], generation: 99, memberId: joined.memberId) == [22])
            #expect(try await client.commit("members", [("t", 0, 6)], generation: joined.generationId, memberId: "x") == [25])
            #expect(try await client.commit("members", [("t", 0, 6)]) == [25], "a simple commit while the group has members")
            // A generation the coordinator does not know (it restarted): rejoin.
            #expect(try await client.commit("fresh", [("t", 0, 6)], generation: 3, memberId: "old") == [22])
            await client.close()
        }
    }

    @Test func listDescribeAndDeleteGroups() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let client = try await server.client(id: "describer")
            try await client.createTopic("t")
            let joined = try await client.joinNewMember("busy")
            _ = try await client.syncGroup("busy", generation: joined.generationId, memberId: joined.memberId,
                                           assignments: [joined.memberId: [4, 2]])
            #expect(try await client.commit("idle", [("t", 0, 1)]) == [0])

            var list = ListGroupsRequest()
            let all = try await client.send(list, version: 4).groups
            #expect(all.map(\.groupId) == ["busy", "idle"])
            #expect(all.map(\.groupState) == ["Stable", "Empty"])
            list.statesFilter = ["stable"]
            #expect(try await client.send(list, version: 4).groups.map(\.groupId) == ["busy"])
            list.statesFilter = []
            list.typesFilter = ["consumer"]
            #expect(try await client.send(list, version: 5).groups.isEmpty)
            #expect(try await client.send(ListGroupsRequest(), version: 0).groups.map(\.protocolType) == ["consumer", ""])

            var describe = DescribeGroupsRequest()
            describe.groups = ["busy", "nobody"]
            describe.includeAuthorizedOperations = true
            let described = try await client.send(describe, version: 5).groups
            #expect(described[0].groupState == "Stable" && described[0].protocolType == "consumer" && described[0].protocolData == "range")
            let member = try #require(described[0].members.first)
            #expect(member.memberId == joined.memberId && member.clientId == "describer" && member.clientHost == "127.0.0.1")
            #expect(member.memberAssignment == ByteBuffer(bytes: [4, 2]) && member.memberMetadata == ByteBuffer(bytes: [1]))
            #expect(described[0].authorizedOperations != Int32.min)
            #expect(described[1].groupState == "Dead" && described[1].errorCode == 0)

            var delete = DeleteGroupsRequest()
            delete.groupsNames = ["busy", "idle", "nobody"]
            let deleted = try await client.send(delete, version: 2).results
            #expect(deleted.map(\.errorCode) == [KafkaErrorCode.nonEmptyGroup.rawValue, 0, KafkaErrorCode.groupIdNotFound.rawValue])
            var fetch = OffsetFetchRequest()
            fetch.groupId = "idle"
            fetch.topics = nil
            #expect(try await client.send(fetch, version: 7).topics.isEmpty)
            await client.close()
        }
    }

    @Test func offsetDeleteIsRefusedWhileTheGroupHasMembers() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let client = try await server.client()
            try await client.createTopic("t", partitions: 2)
            let joined = try await client.joinNewMember("od")
            _ = try await client.syncGroup("od", generation: joined.generationId, memberId: joined.memberId)
            #expect(try await client.commit("od", [("t", 0, 3), ("t", 1, 4)], generation: joined.generationId, memberId: joined.memberId) == [0, 0])

            var request = OffsetDeleteRequest()
            request.groupId = "od"
            var topic = OffsetDeleteRequest.Topic()
            topic.name = "t"
            topic.partitions = [.init(partitionIndex: 0)]
            request.topics = [topic]
            let refused = try await client.send(request)
            #expect(refused.errorCode == 0 && refused.topics[0].partitions[0].errorCode == KafkaErrorCode.groupSubscribedToTopic.rawValue)

            var leave = LeaveGroupRequest()
            leave.groupId = "od"
            leave.members = [.init(memberId: joined.memberId)]
            _ = try await client.send(leave)
            let done = try await client.send(request)
            #expect(done.errorCode == 0 && done.topics[0].partitions[0].errorCode == 0)
            request.groupId = "never"
            #expect(try await client.send(request).errorCode == KafkaErrorCode.groupIdNotFound.rawValue)

            var fetch = OffsetFetchRequest()
            fetch.groups = [.init(groupId: "od", topics: nil)]
            let left = try await client.send(fetch).groups[0].topics[0].partitions
            #expect(left.map(\.partitionIndex) == [1])
            await client.close()
        }
    }
}
