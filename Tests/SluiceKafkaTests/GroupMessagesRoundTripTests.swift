@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import Testing

/// Every version of every consumer-group message survives encode → decode → encode, and
/// at the newest version the decoded value equals the one encoded (every field exists).
@Suite struct GroupMessagesRoundTripTests {
    func bytes(_ writer: WireWriter) -> [UInt8] {
        writer.parts.flatMap { part -> [UInt8] in
            guard case .bytes(let buffer) = part else { return [] }
            return Array(buffer.readableBytesView)
        }
    }

    /// Checks one message in every version of `R`.
    func roundTrip<R: KafkaRequest, M: KafkaStruct>(_ message: M, as request: R.Type) throws {
        let range = R.validVersions.closedRange!
        for version in range {
            let flexible = R.isFlexible(version)
            let first = bytes(message.encoded(version: version, flexible: flexible))
            var reader = WireReader(ByteBuffer(bytes: first))
            let decoded = try M.decode(from: &reader, version: version, flexible: flexible)
            #expect(reader.remaining == 0, "\(M.self) v\(version)")
            #expect(bytes(decoded.encoded(version: version, flexible: flexible)) == first, "\(M.self) v\(version)")
            if version == range.upperBound { #expect(decoded == message, "\(M.self) v\(version)") }
        }
    }

    @Test func declaredVersionsMatchTheKafka39Specs() {
        let declared: [(ApiKey, Versions, Versions)] = [
            (FindCoordinatorRequest.apiKey, FindCoordinatorRequest.validVersions, FindCoordinatorRequest.flexibleVersions),
            (JoinGroupRequest.apiKey, JoinGroupRequest.validVersions, JoinGroupRequest.flexibleVersions),
            (SyncGroupRequest.apiKey, SyncGroupRequest.validVersions, SyncGroupRequest.flexibleVersions),
            (HeartbeatRequest.apiKey, HeartbeatRequest.validVersions, HeartbeatRequest.flexibleVersions),
            (LeaveGroupRequest.apiKey, LeaveGroupRequest.validVersions, LeaveGroupRequest.flexibleVersions),
            (OffsetCommitRequest.apiKey, OffsetCommitRequest.validVersions, OffsetCommitRequest.flexibleVersions),
            (OffsetFetchRequest.apiKey, OffsetFetchRequest.validVersions, OffsetFetchRequest.flexibleVersions),
            (ListGroupsRequest.apiKey, ListGroupsRequest.validVersions, ListGroupsRequest.flexibleVersions),
            (DescribeGroupsRequest.apiKey, DescribeGroupsRequest.validVersions, DescribeGroupsRequest.flexibleVersions),
            (DeleteGroupsRequest.apiKey, DeleteGroupsRequest.validVersions, DeleteGroupsRequest.flexibleVersions),
            (OffsetDeleteRequest.apiKey, OffsetDeleteRequest.validVersions, OffsetDeleteRequest.flexibleVersions),
        ]
        let expected: [(Int16, String, String)] = [
            (10, "0-6", "3+"), (11, "0-9", "6+"), (14, "0-5", "4+"), (12, "0-4", "4+"), (13, "0-5", "4+"),
            (8, "0-9", "8+"), (9, "0-9", "6+"), (16, "0-5", "3+"), (15, "0-5", "5+"), (42, "0-2", "2+"), (47, "0", "none"),
        ]
        for ((key, valid, flexible), (raw, validText, flexibleText)) in zip(declared, expected) {
            #expect(key.rawValue == raw)
            #expect(valid.description == validText, "\(key)")
            #expect(flexible.description == flexibleText, "\(key)")
        }
        #expect(ApiKey.offsetDelete.name == "OffsetDelete")
        #expect(KafkaErrorCode.memberIdRequired.name == "MEMBER_ID_REQUIRED")
    }

    @Test func coordinatorAndMembershipMessages() throws {
        var find = FindCoordinatorRequest()
        find.keyType = FindCoordinatorRequest.KeyType.transaction
        find.coordinatorKeys = ["a", "b"]
        try roundTrip(find, as: FindCoordinatorRequest.self)
        var found = FindCoordinatorResponse()
        found.throttleTimeMs = 5
        var coordinator = FindCoordinatorResponse.Coordinator()
        coordinator.key = "a"
        coordinator.errorMessage = "no"
        found.coordinators = [coordinator]
        try roundTrip(found, as: FindCoordinatorRequest.self)

        var join = JoinGroupRequest()
        join.groupId = "g"
        join.groupInstanceId = "i"
        join.reason = "why"
        join.protocols = [.init(name: "range", metadata: ByteBuffer(bytes: [1, 2, 3]))]
        try roundTrip(join, as: JoinGroupRequest.self)
        var joined = JoinGroupResponse()
        joined.protocolType = "consumer"
        joined.protocolName = "range"
        joined.skipAssignment = true
        var member = JoinGroupResponse.Member()
        member.groupInstanceId = "i"
        joined.members = [member]
        try roundTrip(joined, as: JoinGroupRequest.self)

        var sync = SyncGroupRequest()
        sync.groupInstanceId = "i"
        sync.protocolType = "consumer"
        sync.protocolName = "range"
        sync.assignments = [.init(memberId: "m", assignment: ByteBuffer(bytes: [4]))]
        try roundTrip(sync, as: SyncGroupRequest.self)
        var synced = SyncGroupResponse()
        synced.protocolType = "consumer"
        synced.protocolName = "range"
        synced.assignment = ByteBuffer(bytes: [5])
        try roundTrip(synced, as: SyncGroupRequest.self)

        var heartbeat = HeartbeatRequest()
        heartbeat.groupInstanceId = "i"
        try roundTrip(heartbeat, as: HeartbeatRequest.self)
        var beat = HeartbeatResponse()
        beat.errorCode = KafkaErrorCode.rebalanceInProgress.rawValue
        try roundTrip(beat, as: HeartbeatRequest.self)

        var leave = LeaveGroupRequest()
        var leaving = LeaveGroupRequest.Member(memberId: "m", groupInstanceId: "i")
        leaving.reason = "bye"
        leave.members = [leaving]
        try roundTrip(leave, as: LeaveGroupRequest.self)
        var left = LeaveGroupResponse()
        var result = LeaveGroupResponse.Member()
        result.groupInstanceId = "i"
        result.errorCode = 25
        left.members = [result]
        try roundTrip(left, as: LeaveGroupRequest.self)
    }

    @Test func offsetMessages() throws {
        var commit = OffsetCommitRequest()
        commit.groupId = "g"
        commit.groupInstanceId = "i"
        commit.topics = [.init(name: "t", partitions: [.init(partitionIndex: 1, committedOffset: 9, committedLeaderEpoch: 2, committedMetadata: "m")])]
        try roundTrip(commit, as: OffsetCommitRequest.self)
        var committed = OffsetCommitResponse()
        committed.topics = [.init(name: "t", partitions: [.init(partitionIndex: 1, errorCode: 22)])]
        try roundTrip(committed, as: OffsetCommitRequest.self)

        var fetch = OffsetFetchRequest()
        var group = OffsetFetchRequest.Group(groupId: "g", topics: nil)
        group.memberId = "m"
        group.memberEpoch = 3
        fetch.groups = [group]
        fetch.requireStable = true
        try roundTrip(fetch, as: OffsetFetchRequest.self)
        var fetched = OffsetFetchResponse()
        var partition = OffsetFetchResponse.Partition()
        partition.committedOffset = 8
        partition.committedLeaderEpoch = 1
        partition.metadata = "m"
        var fetchedGroup = OffsetFetchResponse.Group()
        fetchedGroup.groupId = "g"
        fetchedGroup.topics = [.init(name: "t", partitions: [partition])]
        fetched.groups = [fetchedGroup]
        try roundTrip(fetched, as: OffsetFetchRequest.self)

        var delete = OffsetDeleteRequest()
        var topic = OffsetDeleteRequest.Topic()
        topic.name = "t"
        topic.partitions = [.init(partitionIndex: 3)]
        delete.topics = [topic]
        try roundTrip(delete, as: OffsetDeleteRequest.self)
        var deleted = OffsetDeleteResponse()
        deleted.topics = [.init(name: "t", partitions: [.init(partitionIndex: 3, errorCode: 86)])]
        try roundTrip(deleted, as: OffsetDeleteRequest.self)
    }

    @Test func groupAdministrationMessages() throws {
        var list = ListGroupsRequest()
        list.statesFilter = ["Stable"]
        list.typesFilter = ["classic"]
        try roundTrip(list, as: ListGroupsRequest.self)
        var listed = ListGroupsResponse()
        listed.groups = [.init(groupId: "g", protocolType: "consumer", groupState: "Stable", groupType: "classic")]
        try roundTrip(listed, as: ListGroupsRequest.self)

        var describe = DescribeGroupsRequest()
        describe.groups = ["g", "h"]
        describe.includeAuthorizedOperations = true
        try roundTrip(describe, as: DescribeGroupsRequest.self)
        var described = DescribeGroupsResponse()
        var group = DescribeGroupsResponse.Group()
        group.groupId = "g"
        group.groupState = "Stable"
        var member = DescribeGroupsResponse.Member()
        member.groupInstanceId = "i"
        member.memberAssignment = ByteBuffer(bytes: [0, 1])
        group.members = [member]
        described.groups = [group]
        try roundTrip(described, as: DescribeGroupsRequest.self)

        var deleteGroups = DeleteGroupsRequest()
        deleteGroups.groupsNames = ["g"]
        try roundTrip(deleteGroups, as: DeleteGroupsRequest.self)
        var deletedGroups = DeleteGroupsResponse()
        deletedGroups.results = [.init(groupId: "g", errorCode: 68)]
        try roundTrip(deletedGroups, as: DeleteGroupsRequest.self)
    }

    @Test func truncatedGroupRequestsNameTheirField() {
        var reader = WireReader(ByteBuffer(bytes: [2, 0x67, 0, 0]))
        do {
            _ = try JoinGroupRequest.decode(from: &reader, version: 9, flexible: true)
            Issue.record("decoded a truncated JoinGroup")
        } catch {
            #expect(error.fieldPath == ["SessionTimeoutMs"])
        }
    }
}

extension MessageCatalogTests {
    /// The consumer-group messages, linted and round-tripped with the others.
    static let groupRequests: [any KafkaRequest.Type] = [
        FindCoordinatorRequest.self, JoinGroupRequest.self, SyncGroupRequest.self, HeartbeatRequest.self,
        LeaveGroupRequest.self, OffsetCommitRequest.self, OffsetFetchRequest.self, ListGroupsRequest.self,
        DescribeGroupsRequest.self, DeleteGroupsRequest.self, OffsetDeleteRequest.self,
    ]
}
