import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

/// The membership APIs through a real server and the Swift client, request by request.
@Suite struct GroupHandlerTests {
    @Test func findCoordinatorAnswersWithThisBrokerInEveryLayout() async throws {
        try await withServer { server in
            let client = try await server.client()
            var request = FindCoordinatorRequest()
            request.key = "g"
            for version: Int16 in [0, 1, 3] {
                let response = try await client.send(request, version: version)
                #expect(response.errorCode == 0 && response.nodeId == 0, "v\(version)")
                #expect(response.host == server.address.host && Int(response.port) == server.address.port, "v\(version)")
            }
            request.coordinatorKeys = ["a", "b"]
            let batched = try await client.send(request, version: 4)
            #expect(batched.coordinators.map(\.key) == ["a", "b"])
            #expect(batched.coordinators.allSatisfy { $0.errorCode == 0 && Int($0.port) == server.address.port })
            request.keyType = FindCoordinatorRequest.KeyType.transaction
            let transactional = try await client.send(request, version: 4)
            #expect(transactional.coordinators.allSatisfy { $0.errorCode == 0 && Int($0.port) == server.address.port },
                    "this broker coordinates transactional ids too")
            await client.close()
        }
    }

    @Test func apiVersionsAdvertisesEveryGroupApi() async throws {
        try await withServer { server in
            let client = try await server.client()
            let expected: [ApiKey: ClosedRange<Int16>] = [
                .findCoordinator: 0...6, .joinGroup: 0...9, .syncGroup: 0...5, .heartbeat: 0...4, .leaveGroup: 0...5,
                .offsetCommit: 0...9, .offsetFetch: 0...9, .listGroups: 0...5, .describeGroups: 0...5,
                .deleteGroups: 0...2, .offsetDelete: 0...0,
            ]
            for (key, range) in expected { #expect(client.brokerVersions[key] == range, "\(key)") }
            await client.close()
        }
    }

    @Test func joinFromV4RequiresAKnownMemberIdAndOlderVersionsDoNot() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let client = try await server.client()
            let first = try await client.joinGroup("g4", version: 4)
            #expect(first.errorCode == KafkaErrorCode.memberIdRequired.rawValue)
            #expect(!first.memberId.isEmpty && first.generationId == -1)
            let joined = try await client.joinGroup("g4", memberId: first.memberId, version: 4)
            #expect(joined.errorCode == 0 && joined.memberId == first.memberId && joined.leader == first.memberId)
            #expect(joined.generationId == 1 && joined.protocolName == "range" && joined.members.count == 1)

            let old = try await client.joinGroup("g3", version: 3)
            #expect(old.errorCode == 0 && !old.memberId.isEmpty && old.generationId == 1)

            let synced = try await client.syncGroup("g4", generation: 1, memberId: joined.memberId,
                                                    assignments: [joined.memberId: [9, 9]], version: 5)
            #expect(synced.errorCode == 0 && synced.assignment == ByteBuffer(bytes: [9, 9]))
            #expect(synced.protocolType == "consumer" && synced.protocolName == "range")
            #expect(try await client.heartbeat("g4", generation: 1, memberId: joined.memberId) == .none)
            #expect(try await client.heartbeat("g4", generation: 7, memberId: joined.memberId) == .illegalGeneration)
            #expect(try await client.heartbeat("g4", generation: 1, memberId: "stranger") == .unknownMemberId)
            let unknown = try await client.joinGroup("g4", memberId: "stranger", version: 9)
            #expect(unknown.errorCode == KafkaErrorCode.unknownMemberId.rawValue && unknown.protocolName == nil)
            let badTimeout = try await client.joinGroup("g5", sessionTimeoutMs: 10)
            #expect(badTimeout.errorCode == KafkaErrorCode.invalidSessionTimeout.rawValue)
            await client.close()
        }
    }

    @Test func secondMemberTriggersARebalanceBothSidesComplete() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let a = try await server.client(id: "a")
            let b = try await server.client(id: "b")
            let first = try await a.joinNewMember("two")
            _ = try await a.syncGroup("two", generation: first.generationId, memberId: first.memberId, assignments: [first.memberId: [0]])

            async let bJoin = b.joinNewMember("two")
            // A learns of the rebalance from its heartbeat, then rejoins.
            var code = KafkaErrorCode.none
            for _ in 0..<100 where code != .rebalanceInProgress {
                code = try await a.heartbeat("two", generation: first.generationId, memberId: first.memberId)
                if code != .rebalanceInProgress { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(code == .rebalanceInProgress)
            let aJoin = try await a.joinGroup("two", memberId: first.memberId)
            let bJoined = try await bJoin
            #expect(aJoin.errorCode == 0 && bJoined.errorCode == 0)
            #expect(aJoin.generationId == 2 && bJoined.generationId == 2)
            #expect(aJoin.leader == first.memberId && aJoin.members.count == 2 && bJoined.members.isEmpty)

            async let bSync = b.syncGroup("two", generation: 2, memberId: bJoined.memberId)
            let aSync = try await a.syncGroup("two", generation: 2, memberId: first.memberId,
                                              assignments: [first.memberId: [0], bJoined.memberId: [1]])
            #expect(aSync.assignment == ByteBuffer(bytes: [0]))
            #expect(try await bSync.assignment == ByteBuffer(bytes: [1]))
            await a.close()
            await b.close()
        }
    }

    @Test func waitingJoinHoldsOnlyItsOwnConnectionAndAnswersStayInOrder() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let a = try await server.client(id: "a")
            let b = try await server.client(id: "b")
            let other = try await server.client(id: "other")
            let first = try await a.joinNewMember("wait")
            _ = try await a.syncGroup("wait", generation: first.generationId, memberId: first.memberId)

            let bJoin = Task { try await b.joinNewMember("wait") }
            // Once b's join is parked at the coordinator, b's next request queues behind it
            // while other connections are answered.
            for _ in 0..<200 where await server.broker.groups.describe(groupId: "wait").members.count < 2 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(await server.broker.groups.describe(groupId: "wait").state == .preparingRebalance)
            let answered = JoinFlag()
            // The client matches responses to requests in order and checks correlation ids,
            // so an answer out of order would fail this call.
            let bMetadata = Task {
                _ = try await b.metadata(topics: [])
                await answered.set()
            }
            _ = try await other.metadata(topics: [])
            // The rebalance ends only when a rejoins below, so other was answered meanwhile.
            #expect(await server.broker.groups.describe(groupId: "wait").state == .preparingRebalance)
            try await Task.sleep(for: .milliseconds(100))
            #expect(await answered.value == false, "b's Metadata was answered while its JoinGroup waited")
            _ = try await a.joinGroup("wait", memberId: first.memberId)
            #expect(try await bJoin.value.errorCode == 0)
            try await bMetadata.value
            #expect(await answered.value)
            for client in [a, b, other] { await client.close() }
        }
    }

    @Test func leaveGroupOneMemberAndBatch() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let client = try await server.client()
            let joined = try await client.joinNewMember("leave")
            var leave = LeaveGroupRequest()
            leave.groupId = "leave"
            leave.memberId = joined.memberId
            #expect(try await client.send(leave, version: 0).errorCode == 0)
            #expect(try await client.send(leave, version: 2).errorCode == KafkaErrorCode.unknownMemberId.rawValue)

            let again = try await client.joinNewMember("leave")
            leave.members = [.init(memberId: again.memberId), .init(memberId: "ghost")]
            let batch = try await client.send(leave, version: 5)
            #expect(batch.errorCode == 0)
            #expect(batch.members.map(\.errorCode) == [0, KafkaErrorCode.unknownMemberId.rawValue])
            await client.close()
        }
    }
}

/// Set once a call has been answered.
actor JoinFlag {
    private(set) var value = false
    func set() { value = true }
}
