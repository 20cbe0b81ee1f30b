import Foundation
import Logging
@testable import SluiceKernel
import SluiceMemory
import Testing

// Static membership (KIP-345) and the pitfalls others hit with it (docs: PITFALLS.md).

private func coordinator(metadata: any MetadataStore = MemoryMetadataStore(), initialDelayMs: Int64 = 0) async -> GroupCoordinator {
    var config = GroupCoordinatorConfig()
    config.minSessionTimeoutMs = 100
    config.initialRebalanceDelayMs = initialDelayMs
    config.tickIntervalMs = 20
    let coordinator = GroupCoordinator(metadata: metadata, config: config, logger: Logger(label: "static-test"))
    await coordinator.start()
    return coordinator
}

private func join(_ group: String, member: String = "", instance: String?, session: Int32 = 60_000, rebalance: Int32 = 60_000,
                  protocols: [String] = ["range"]) -> JoinGroupRequest {
    JoinGroupRequest(groupId: group, memberId: member, groupInstanceId: instance, clientId: "client", clientHost: "/127.0.0.1",
                     sessionTimeoutMs: session, rebalanceTimeoutMs: rebalance, protocolType: "consumer",
                     protocols: protocols.map { ($0, Array($0.utf8)) }, requireKnownMemberId: true)
}

private func sync(_ c: GroupCoordinator, _ group: String, _ joined: JoinGroupResponse, instance: String?,
                  assignments: [String: [UInt8]] = [:]) async -> SyncGroupResponse {
    await c.sync(groupId: group, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: instance,
                 protocolType: "consumer", protocolName: "range", assignments: assignments)
}

extension GroupCoordinator {
    /// Whether the member's JoinGroup is parked waiting for the join phase to complete.
    func isWaitingToJoin(_ groupId: String, _ memberId: String) -> Bool { groups[groupId]?.members[memberId]?.pendingJoin != nil }
    func isWaitingToSync(_ groupId: String, _ memberId: String) -> Bool { groups[groupId]?.members[memberId]?.pendingSync != nil }
}

/// Polls every 10 ms until `condition` holds; false after `seconds`.
private func eventually(_ seconds: Double = 20, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

/// Two static members, pod-a and pod-b, in a stable group: pod-a leads, each owns one
/// "partition" (the assignment bytes [1] and [2]).
private struct StableGroup {
    var leader: JoinGroupResponse
    var follower: JoinGroupResponse
    var leaderInstance: String
    var followerInstance: String
}

private func stableGroup(_ c: GroupCoordinator, _ group: String) async -> StableGroup {
    let a = await c.join(join(group, instance: "pod-a"))
    let aID = a.memberId
    async let bJoin = c.join(join(group, instance: "pod-b"))
    _ = await eventually { await c.describe(groupId: group).members.count == 2 }
    let aAgain = await c.join(join(group, member: aID, instance: "pod-a"))
    let b = await bJoin
    let (leader, follower) = aAgain.leader == aAgain.memberId ? (aAgain, b) : (b, aAgain)
    let leaderInstance = leader.memberId == aID ? "pod-a" : "pod-b"
    let followerInstance = leaderInstance == "pod-a" ? "pod-b" : "pod-a"
    async let followerSync = sync(c, group, follower, instance: followerInstance)
    _ = await eventually { await c.isWaitingToSync(group, follower.memberId) }
    _ = await sync(c, group, leader, instance: leaderInstance, assignments: [leader.memberId: [1], follower.memberId: [2]])
    _ = await followerSync
    return StableGroup(leader: leader, follower: follower, leaderInstance: leaderInstance, followerInstance: followerInstance)
}

@Suite("Static membership (KIP-345)")
struct StaticMembershipTests {
    @Test func staticMembersJoinWithoutMemberIdRequired() async {
        let c = await coordinator()
        let first = await c.join(join("first", instance: "pod-a"))
        #expect(first.error == nil, "the instance id names the member; no MEMBER_ID_REQUIRED round trip")
        #expect(first.generationId == 1)
    }

    @Test func restartWithinTheSessionGetsTheOldAssignmentWithoutARebalance() async {
        let c = await coordinator()
        let g = await stableGroup(c, "restart")
        let restarted = await c.join(join("restart", instance: g.followerInstance))
        #expect(restarted.error == nil)
        #expect(restarted.memberId != g.follower.memberId, "a new member id for the new process")
        #expect(restarted.generationId == g.follower.generationId, "same generation: no rebalance")
        let assignment = await sync(c, "restart", restarted, instance: g.followerInstance)
        #expect(assignment.error == nil)
        #expect(assignment.assignment == [2], "the previous assignment comes back")
        #expect(await c.heartbeat(groupId: "restart", generationId: g.leader.generationId, memberId: g.leader.memberId,
                                  groupInstanceId: g.leaderInstance) == nil, "the other member sees no rebalance")
        let described = await c.describe(groupId: "restart")
        #expect(described.state == .stable)
        #expect(Set(described.members.map(\.memberId)) == [g.leader.memberId, restarted.memberId])
    }

    @Test func aRestartedLeaderIsToldTheOldLeaderIdSoItComputesNoAssignment() async {
        let c = await coordinator()
        let g = await stableGroup(c, "leader")
        let restarted = await c.join(join("leader", instance: g.leaderInstance))
        #expect(restarted.error == nil)
        #expect(restarted.leader == g.leader.memberId, "the leader id from before the replacement")
        #expect(restarted.leader != restarted.memberId)
        #expect(restarted.members.isEmpty, "no member list: nothing to assign")
        let assignment = await sync(c, "leader", restarted, instance: g.leaderInstance)
        #expect(assignment.assignment == [1])
        #expect(await c.heartbeat(groupId: "leader", generationId: g.follower.generationId, memberId: g.follower.memberId,
                                  groupInstanceId: g.followerInstance) == nil)
    }

    @Test func aDuplicateInstanceIdFencesTheOldMemberIdOnEveryCall() async {
        let c = await coordinator()
        let g = await stableGroup(c, "dup")
        let old = g.follower
        let instance = g.followerInstance
        let newer = await c.join(join("dup", instance: instance))
        #expect(newer.error == nil)
        #expect(await c.heartbeat(groupId: "dup", generationId: old.generationId, memberId: old.memberId, groupInstanceId: instance) == .fencedInstanceId)
        #expect(await sync(c, "dup", old, instance: instance).error == .fencedInstanceId)
        #expect(await c.commitOffsets(groupId: "dup", generationId: old.generationId, memberId: old.memberId, groupInstanceId: instance,
                                      offsets: [TopicPartition("t", 0): CommittedOffset(offset: 1)]) == .fencedInstanceId)
        #expect(await c.join(join("dup", member: old.memberId, instance: instance)).error == .fencedInstanceId)
        #expect(await c.leave(groupId: "dup", members: [(old.memberId, instance)]) == [.fencedInstanceId])
        #expect(await c.heartbeat(groupId: "dup", generationId: newer.generationId, memberId: newer.memberId, groupInstanceId: instance) == nil,
                "the new process is the member now")
    }

    @Test func aReplacementFencesTheOldMemberIdsPendingJoin() async {
        let c = await coordinator()
        let g = await stableGroup(c, "pending-join")
        // A third member starts a rebalance; the follower's old process rejoins and waits.
        async let newcomer = c.join(join("pending-join", instance: "pod-c"))
        #expect(await eventually { await c.describe(groupId: "pending-join").state == .preparingRebalance })
        let oldID = g.follower.memberId
        async let oldJoin = c.join(join("pending-join", member: oldID, instance: g.followerInstance))
        #expect(await eventually { await c.isWaitingToJoin("pending-join", oldID) })
        async let newJoin = c.join(join("pending-join", instance: g.followerInstance))
        let fenced = await oldJoin
        #expect(fenced.error == .fencedInstanceId, "the old process's waiting JoinGroup is fenced")
        _ = await c.join(join("pending-join", member: g.leader.memberId, instance: g.leaderInstance))
        let replaced = await newJoin
        #expect(replaced.error == nil)
        #expect(replaced.memberId != oldID)
        #expect(replaced.generationId == g.leader.generationId + 1)
        #expect(await newcomer.error == nil)
    }

    @Test func aReplacementFencesTheOldMemberIdsPendingSync() async {
        let c = await coordinator()
        let a = await c.join(join("pending-sync", instance: "pod-a"))
        let leaderID = a.memberId
        async let bJoin = c.join(join("pending-sync", instance: "pod-b"))
        _ = await eventually { await c.describe(groupId: "pending-sync").members.count == 2 }
        let leader = await c.join(join("pending-sync", member: leaderID, instance: "pod-a"))
        let b = await bJoin
        #expect(leader.leader == leaderID)
        async let oldSync = sync(c, "pending-sync", b, instance: "pod-b")
        #expect(await eventually { await c.isWaitingToSync("pending-sync", b.memberId) })
        async let restarted = c.join(join("pending-sync", instance: "pod-b"))
        #expect(await oldSync.error == .fencedInstanceId, "the old process's waiting SyncGroup is fenced")
        // CompletingRebalance: the replacement starts a new rebalance (apache/kafka#8405).
        #expect(await c.heartbeat(groupId: "pending-sync", generationId: leader.generationId, memberId: leaderID,
                                  groupInstanceId: "pod-a") == .rebalanceInProgress)
        let leaderAgain = await c.join(join("pending-sync", member: leaderID, instance: "pod-a"))
        let newB = await restarted
        #expect(newB.error == nil)
        #expect(newB.generationId == leader.generationId + 1)
        #expect(Set(leaderAgain.members.map(\.memberId)) == [leaderID, newB.memberId], "the leader assigns to the new member id")
        #expect(leaderAgain.members.first { $0.memberId == newB.memberId }?.groupInstanceId == "pod-b")
    }

    @Test func aRejoinDuringCompletingRebalanceStartsANewRebalanceSoTheMemberGetsAnAssignment() async {
        let c = await coordinator()
        let a = await c.join(join("completing", instance: "pod-a"))
        #expect(a.generationId == 1)
        // The leader has its join answer but has not synced: CompletingRebalance.
        #expect(await c.describe(groupId: "completing").state == .completingRebalance)
        let answer = await c.join(join("completing", instance: "pod-a"))
        #expect(answer.error == nil)
        #expect(answer.generationId == 2, "a new generation, whose leader assigns to the new member id")
        #expect(answer.leader == answer.memberId)
        #expect(answer.members.map(\.memberId) == [answer.memberId])
    }

    @Test func aRejoinUpdatesTheRebalanceTimeout() async {
        let c = await coordinator()
        // pod-a joins with a 60 s rebalance timeout, a dynamic member with a short one.
        let a = await c.join(join("timeout", instance: "pod-a", rebalance: 60_000))
        let dynamicID = await c.join(join("timeout", instance: nil, rebalance: 300)).memberId
        async let dynamicJoin = c.join(join("timeout", member: dynamicID, instance: nil, rebalance: 300))
        _ = await eventually { await c.isWaitingToJoin("timeout", dynamicID) }
        _ = await c.join(join("timeout", member: a.memberId, instance: "pod-a", rebalance: 60_000))
        let joined = await dynamicJoin
        #expect(joined.error == nil)
        // pod-a restarts with a 300 ms rebalance timeout. The dynamic member never rejoins,
        // so the rebalance ends at the timeout; the 60 s one would hold it for a minute.
        let restarted = await withTaskGroup(of: JoinGroupResponse?.self) { tasks in
            tasks.addTask { await c.join(join("timeout", instance: "pod-a", rebalance: 300)) }
            tasks.addTask { try? await Task.sleep(for: .seconds(30)); return nil }
            let first = await tasks.next()!
            tasks.cancelAll()
            return first
        }
        #expect(restarted?.error == nil, "the rebalance ended by the new 300 ms timeout, not the old 60 s one")
        #expect(restarted?.members.map(\.memberId) == restarted.map { [$0.memberId] }, "the silent dynamic member was dropped")
    }

    @Test func closedStaticMembersLeaveBySessionTimeoutAndTheGroupCanBeDeleted() async {
        // The initial delay gathers the three into one generation.
        // A 3 s session: the joins and syncs below must fit in it on a loaded machine (with
        // 300 ms, a parallel run expired members between their join and their sync).
        let c = await coordinator(initialDelayMs: 5_000)
        async let a = c.join(join("closing", instance: "pod-a", session: 3_000))
        async let b = c.join(join("closing", instance: "pod-b", session: 3_000))
        async let d = c.join(join("closing", instance: "pod-c", session: 3_000))
        let joined = await [a, b, d]
        let leader = joined.first { $0.leader == $0.memberId }!
        #expect(leader.members.count == 3)
        // The leader syncs first; then the group is stable and each follower gets its share.
        let shares = Dictionary(uniqueKeysWithValues: joined.enumerated().map { ($0.element.memberId, [UInt8($0.offset)]) })
        for member in [leader] + joined.filter({ $0.memberId != leader.memberId }) {
            let synced = await c.sync(groupId: "closing", generationId: member.generationId, memberId: member.memberId, groupInstanceId: nil,
                                      protocolType: nil, protocolName: nil, assignments: shares)
            #expect(synced.error == nil)
        }
        #expect(await c.describe(groupId: "closing").state == .stable)
        #expect(await c.deleteGroup("closing") == .nonEmptyGroup)
        // They close: static members send no LeaveGroup, and no heartbeats come.
        #expect(await eventually { await c.describe(groupId: "closing").state == .empty }, "Empty after the session timeout")
        #expect(await c.deleteGroup("closing") == nil)
    }

    @Test func leaveGroupByInstanceIdRemovesStaticMembersWithAnAnswerPerMember() async {
        let c = await coordinator()
        let g = await stableGroup(c, "admin")
        let results = await c.leave(groupId: "admin", members: [("", g.followerInstance), ("", "pod-unknown")])
        #expect(results == [nil, .unknownMemberId])
        let described = await c.describe(groupId: "admin")
        #expect(described.members.map(\.groupInstanceId) == [g.leaderInstance])
        #expect(await c.heartbeat(groupId: "admin", generationId: g.leader.generationId, memberId: g.leader.memberId,
                                  groupInstanceId: g.leaderInstance) == .rebalanceInProgress, "the rest rebalance")
        #expect(await c.leave(groupId: "admin", members: [("", g.leaderInstance)]) == [nil])
        #expect(await c.describe(groupId: "admin").state == .empty)
        #expect(await c.deleteGroup("admin") == nil)
    }

    @Test func describeShowsEachMembersInstanceId() async {
        let c = await coordinator()
        _ = await stableGroup(c, "describe")
        let described = await c.describe(groupId: "describe")
        #expect(Set(described.members.compactMap(\.groupInstanceId)) == ["pod-a", "pod-b"])
    }

    @Test func theReplacementIsPersistedSoAReloadedCoordinatorFencesTheOldMemberId() async throws {
        let metadata = MemoryMetadataStore()
        let first = await coordinator(metadata: metadata)
        let g = await stableGroup(first, "failover")
        let restarted = await first.join(join("failover", instance: g.followerInstance))
        #expect(restarted.error == nil)
        #expect(try await metadata.groupState("failover")?.staticMembers[g.followerInstance] == restarted.memberId,
                "stored before the new member id was handed out")
        await first.shutdown()

        // Another coordinator takes over the group from the store.
        let second = await coordinator(metadata: metadata)
        let old = g.follower
        #expect(await second.heartbeat(groupId: "failover", generationId: old.generationId, memberId: old.memberId,
                                       groupInstanceId: g.followerInstance) == .fencedInstanceId, "the stale id stays fenced")
        #expect(await second.commitOffsets(groupId: "failover", generationId: old.generationId, memberId: old.memberId,
                                           groupInstanceId: g.followerInstance, offsets: [:]) == .fencedInstanceId)
        #expect(await second.join(join("failover", member: old.memberId, instance: g.followerInstance)).error == .fencedInstanceId)
        // The live member comes back under its own id.
        let back = await second.join(join("failover", member: restarted.memberId, instance: g.followerInstance))
        #expect(back.error == nil)
        #expect(back.memberId == restarted.memberId)
    }
}
