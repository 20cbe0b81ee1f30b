import Foundation
import Logging
import SluiceKernel
import SluiceMemory
import Testing

private func coordinator(metadata: any MetadataStore = MemoryMetadataStore(), initialDelayMs: Int64 = 0) async -> GroupCoordinator {
    var config = GroupCoordinatorConfig()
    config.minSessionTimeoutMs = 100
    config.initialRebalanceDelayMs = initialDelayMs
    config.tickIntervalMs = 20
    let coordinator = GroupCoordinator(metadata: metadata, config: config, logger: Logger(label: "groups-test"))
    await coordinator.start()
    return coordinator
}

private func joinRequest(_ group: String, member: String = "", instance: String? = nil, session: Int32 = 10_000,
                         protocols: [String] = ["range"], requireKnown: Bool = true) -> JoinGroupRequest {
    JoinGroupRequest(groupId: group, memberId: member, groupInstanceId: instance, clientId: "client", clientHost: "/127.0.0.1",
                     sessionTimeoutMs: session, rebalanceTimeoutMs: 5_000, protocolType: "consumer",
                     protocols: protocols.map { ($0, Array($0.utf8)) }, requireKnownMemberId: requireKnown)
}

/// The two-step join of a v4+ client: MEMBER_ID_REQUIRED, then the real join.
private func joinNew(_ c: GroupCoordinator, _ group: String, session: Int32 = 10_000, instance: String? = nil) async -> JoinGroupResponse {
    let first = await c.join(joinRequest(group, instance: instance, session: session))
    guard first.error == .memberIdRequired else { return first }
    return await c.join(joinRequest(group, member: first.memberId, instance: instance, session: session))
}

@Suite("Group coordinator")
struct GroupCoordinatorTests {
    @Test func newMemberMustRejoinWithTheIdItWasGiven() async {
        let c = await coordinator()
        let first = await c.join(joinRequest("g"))
        #expect(first.error == .memberIdRequired)
        #expect(!first.memberId.isEmpty)
        let second = await c.join(joinRequest("g", member: first.memberId))
        #expect(second.error == nil)
        #expect(second.memberId == first.memberId)
        #expect(second.leader == first.memberId)
        #expect(second.generationId == 1)
        #expect(second.members.map(\.memberId) == [first.memberId], "the leader gets every member's metadata")
    }

    @Test func twoMembersShareOneGenerationAndGetTheLeadersAssignment() async {
        let c = await coordinator()
        let firstID = await c.join(joinRequest("share")).memberId
        let secondID = await c.join(joinRequest("share")).memberId
        async let a = c.join(joinRequest("share", member: firstID))
        async let b = c.join(joinRequest("share", member: secondID))
        let (ja, jb) = await (a, b)
        #expect(ja.generationId == jb.generationId)
        #expect(ja.leader == jb.leader)
        let leader = ja.leader == ja.memberId ? ja : jb
        let follower = ja.leader == ja.memberId ? jb : ja
        #expect(leader.members.count == 2)
        #expect(follower.members.isEmpty)
        async let followerSync = c.sync(groupId: "share", generationId: follower.generationId, memberId: follower.memberId,
                                        groupInstanceId: nil, protocolType: "consumer", protocolName: "range", assignments: [:])
        try? await Task.sleep(for: .milliseconds(50))
        let leaderSync = await c.sync(groupId: "share", generationId: leader.generationId, memberId: leader.memberId, groupInstanceId: nil,
                                      protocolType: "consumer", protocolName: "range",
                                      assignments: [leader.memberId: [1], follower.memberId: [2]])
        #expect(leaderSync.assignment == [1])
        #expect(await followerSync.assignment == [2], "the follower waits for the leader's assignment")
        #expect(await c.describe(groupId: "share").state == .stable)
    }

    @Test func aNewMemberTriggersARebalanceThatHeartbeatsAnnounce() async {
        let c = await coordinator()
        let first = await joinNew(c, "grow")
        _ = await c.sync(groupId: "grow", generationId: first.generationId, memberId: first.memberId, groupInstanceId: nil,
                         protocolType: nil, protocolName: nil, assignments: [first.memberId: [1]])
        let newcomerID = await c.join(joinRequest("grow")).memberId
        async let newcomer = c.join(joinRequest("grow", member: newcomerID))
        try? await Task.sleep(for: .milliseconds(50))
        #expect(await c.heartbeat(groupId: "grow", generationId: first.generationId, memberId: first.memberId, groupInstanceId: nil) == .rebalanceInProgress)
        let rejoined = await c.join(joinRequest("grow", member: first.memberId))
        let joined = await newcomer
        #expect(rejoined.generationId == first.generationId + 1)
        #expect(joined.generationId == rejoined.generationId)
        #expect(rejoined.leader == first.memberId, "the existing leader stays leader")
    }

    @Test func leavingHandsPartitionsToTheRest() async {
        let c = await coordinator()
        let aID = await c.join(joinRequest("leave")).memberId
        let bID = await c.join(joinRequest("leave")).memberId
        async let a = c.join(joinRequest("leave", member: aID))
        async let b = c.join(joinRequest("leave", member: bID))
        let (ja, _) = await (a, b)
        #expect(await c.leave(groupId: "leave", members: [(bID, nil)]) == [nil])
        #expect(await c.heartbeat(groupId: "leave", generationId: ja.generationId, memberId: aID, groupInstanceId: nil) == .rebalanceInProgress)
        let again = await c.join(joinRequest("leave", member: aID))
        #expect(again.members.map(\.memberId) == [aID])
        #expect(await c.leave(groupId: "leave", members: [(bID, nil)]) == [.unknownMemberId])
    }

    @Test func aSilentMemberIsRemovedAfterItsSessionTimeout() async throws {
        let c = await coordinator()
        // The steady member's session outlasts any scheduling delay of a loaded machine
        // (its heartbeats below are 50 ms apart only when the machine keeps up).
        let steadySession: Int32 = 120_000
        let steady = await joinNew(c, "expire", session: steadySession)
        _ = await c.sync(groupId: "expire", generationId: steady.generationId, memberId: steady.memberId, groupInstanceId: nil,
                         protocolType: nil, protocolName: nil, assignments: [:])
        let quietID = await c.join(joinRequest("expire", session: 200)).memberId
        async let quiet = c.join(joinRequest("expire", member: quietID, session: 200))
        let rejoin = await c.join(joinRequest("expire", member: steady.memberId, session: steadySession))
        _ = await quiet
        #expect(rejoin.members.count == 2)
        // The quiet member never heartbeats again; the steady one does.
        var error: GroupError? = nil
        for _ in 0..<600 {
            try await Task.sleep(for: .milliseconds(50))
            error = await c.heartbeat(groupId: "expire", generationId: rejoin.generationId, memberId: steady.memberId, groupInstanceId: nil)
            if error == .rebalanceInProgress { break }
        }
        #expect(error == .rebalanceInProgress, "the expiry of the quiet member must trigger a rebalance")
        let alone = await c.join(joinRequest("expire", member: steady.memberId, session: steadySession))
        #expect(alone.members.map(\.memberId) == [steady.memberId])
        #expect(await c.heartbeat(groupId: "expire", generationId: alone.generationId, memberId: quietID, groupInstanceId: nil) == .unknownMemberId)
    }

    @Test func staticMemberRestartFencesTheOldMemberId() async {
        let c = await coordinator()
        let original = await joinNew(c, "static", instance: "pod-1")
        #expect(original.error == nil)
        let restarted = await c.join(joinRequest("static", instance: "pod-1"))
        #expect(restarted.error == nil)
        #expect(restarted.memberId != original.memberId)
        #expect(await c.heartbeat(groupId: "static", generationId: restarted.generationId, memberId: original.memberId, groupInstanceId: "pod-1") == .fencedInstanceId)
    }

    @Test func commitsCheckGenerationAndAreDurable() async throws {
        let metadata = MemoryMetadataStore()
        let c = await coordinator(metadata: metadata)
        let member = await joinNew(c, "commit")
        let tp = TopicPartition("t", 0)
        #expect(await c.commitOffsets(groupId: "commit", generationId: member.generationId + 5, memberId: member.memberId, groupInstanceId: nil,
                                      offsets: [tp: CommittedOffset(offset: 1)]) == .illegalGeneration)
        #expect(await c.commitOffsets(groupId: "commit", generationId: member.generationId, memberId: "stranger", groupInstanceId: nil,
                                      offsets: [tp: CommittedOffset(offset: 1)]) == .unknownMemberId)
        #expect(await c.commitOffsets(groupId: "commit", generationId: member.generationId, memberId: member.memberId, groupInstanceId: nil,
                                      offsets: [tp: CommittedOffset(offset: 1)]) == .rebalanceInProgress, "no commits before the sync completes")
        _ = await c.sync(groupId: "commit", generationId: member.generationId, memberId: member.memberId, groupInstanceId: nil,
                         protocolType: nil, protocolName: nil, assignments: [:])
        #expect(await c.commitOffsets(groupId: "commit", generationId: member.generationId, memberId: member.memberId, groupInstanceId: nil,
                                      offsets: [tp: CommittedOffset(offset: 42, metadata: "m")]) == nil)
        #expect(try await metadata.committedOffsets(group: "commit")[tp]?.offset == 42, "stored before the commit returned")
        #expect(try await c.fetchOffsets(groupId: "commit", partitions: [tp])[tp]?.metadata == "m")
        // A simple (memberless) commit to a group nobody is in.
        #expect(await c.commitOffsets(groupId: "simple", generationId: -1, memberId: "", groupInstanceId: nil,
                                      offsets: [tp: CommittedOffset(offset: 7)]) == nil)
        #expect(try await c.fetchOffsets(groupId: "simple", partitions: nil)[tp]?.offset == 7)
    }

    @Test func deletingAGroupWithMembersIsRefused() async {
        let metadata = MemoryMetadataStore()
        let c = await coordinator(metadata: metadata)
        let member = await joinNew(c, "busy")
        _ = await c.commitOffsets(groupId: "idle", generationId: -1, memberId: "", groupInstanceId: nil,
                                  offsets: [TopicPartition("t", 0): CommittedOffset(offset: 3)])
        #expect(await c.deleteGroup("busy") == .nonEmptyGroup)
        #expect(await c.deleteGroup("idle") == nil)
        #expect(await c.deleteGroup("never") == .groupIdNotFound)
        let listed = await c.listGroups().map(\.groupId)
        #expect(listed.contains("busy") && !listed.contains("idle"))
        _ = await c.leave(groupId: "busy", members: [(member.memberId, nil)])
        #expect(await c.describe(groupId: "busy").state == .empty)
        #expect(await c.describe(groupId: "never").state == .dead)
    }

    @Test func mismatchedProtocolsAreRejected() async {
        let c = await coordinator()
        _ = await joinNew(c, "proto")
        let other = await c.join(joinRequest("proto", protocols: ["roundrobin"], requireKnown: false))
        #expect(other.error == .inconsistentGroupProtocol)
    }

    @Test func initialRebalanceDelayGathersMembersIntoOneGeneration() async {
        // Generous delay: the second member joins well inside it even on a loaded machine.
        let c = await coordinator(initialDelayMs: 10_000)
        async let a = c.join(joinRequest("delay", requireKnown: false))
        try? await Task.sleep(for: .milliseconds(50))
        async let b = c.join(joinRequest("delay", requireKnown: false))
        let (ja, jb) = await (a, b)
        #expect(ja.generationId == 1 && jb.generationId == 1, "both members land in the first generation")
        #expect(Set([ja.members.count, jb.members.count]) == [0, 2])
    }
}
