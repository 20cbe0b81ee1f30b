@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import Testing

/// Byte vectors for the consumer-group messages, written by hand from Kafka 3.9's
/// message specs: classic versions use int16 string and int32 array/bytes lengths,
/// flexible ones unsigned-varint "length + 1" and a tagged-field count after every struct.
@Suite struct GroupMessageVectorTests {
    func bytes(_ writer: WireWriter) -> [UInt8] {
        writer.parts.flatMap { part -> [UInt8] in
            guard case .bytes(let buffer) = part else { return [] }
            return Array(buffer.readableBytesView)
        }
    }

    func decode<T: KafkaStruct>(_ type: T.Type, _ bytes: [UInt8], version: Int16, flexible: Bool) throws -> T {
        var reader = WireReader(ByteBuffer(bytes: bytes))
        let value = try T.decode(from: &reader, version: version, flexible: flexible)
        #expect(reader.remaining == 0, "\(T.self) v\(version) left \(reader.remaining) bytes unread")
        return value
    }

    /// "consumer" and "range" as they appear in the vectors below.
    let consumer: [UInt8] = Array("consumer".utf8)
    let range: [UInt8] = Array("range".utf8)

    var joinRequest: JoinGroupRequest {
        var request = JoinGroupRequest()
        request.groupId = "g"
        request.sessionTimeoutMs = 10_000
        request.rebalanceTimeoutMs = 300_000
        request.protocolType = "consumer"
        request.protocols = [.init(name: "range", metadata: ByteBuffer(bytes: [0, 1]))]
        return request
    }

    @Test func joinGroupRequestV5() throws {
        let expected: [UInt8] = [0, 1, 0x67]   // group id "g": int16 length
            + [0, 0, 0x27, 0x10]               // session timeout 10000
            + [0, 0x04, 0x93, 0xe0]            // rebalance timeout 300000
            + [0, 0]                           // member id "" (first join)
            + [0xff, 0xff]                     // group instance id null (v5+)
            + [0, 8] + consumer                // protocol type
            + [0, 0, 0, 1]                     // one protocol
            + [0, 5] + range + [0, 0, 0, 2, 0, 1] // name, metadata: int32 length
        #expect(bytes(joinRequest.encoded(version: 5, flexible: false)) == expected)
        #expect(try decode(JoinGroupRequest.self, expected, version: 5, flexible: false) == joinRequest)
        // v0 has neither the rebalance timeout nor the instance id.
        let v0 = bytes(joinRequest.encoded(version: 0, flexible: false))
        #expect(v0 == [0, 1, 0x67, 0, 0, 0x27, 0x10, 0, 0] + [0, 8] + consumer + [0, 0, 0, 1, 0, 5] + range + [0, 0, 0, 2, 0, 1])
    }

    @Test func joinGroupRequestV9IsFlexibleWithReason() throws {
        var request = joinRequest
        request.memberId = "m"
        request.groupInstanceId = "i"
        let expected: [UInt8] = [2, 0x67]       // compact "g": length + 1
            + [0, 0, 0x27, 0x10, 0, 0x04, 0x93, 0xe0]
            + [2, 0x6d]                        // member id "m"
            + [2, 0x69]                        // group instance id "i"
            + [9] + consumer
            + [2]                              // compact array of one protocol
            + [6] + range + [3, 0, 1] + [0]    // name, compact bytes, protocol's tagged fields
            + [0]                              // reason null (v8+)
            + [0]                              // request's tagged fields
        #expect(bytes(request.encoded(version: 9, flexible: true)) == expected)
        #expect(try decode(JoinGroupRequest.self, expected, version: 9, flexible: true) == request)
        request.reason = "rebalance failed"
        let withReason = try decode(JoinGroupRequest.self, bytes(request.encoded(version: 9, flexible: true)), version: 9, flexible: true)
        #expect(withReason.reason == "rebalance failed")
    }

    var joinResponse: JoinGroupResponse {
        var response = JoinGroupResponse()
        response.generationId = 3
        response.protocolType = "consumer"
        response.protocolName = "range"
        response.leader = "a"
        response.memberId = "a"
        var member = JoinGroupResponse.Member()
        member.memberId = "a"
        member.groupInstanceId = "i"
        member.metadata = ByteBuffer(bytes: [7])
        response.members = [member]
        return response
    }

    @Test func joinGroupResponseV5() throws {
        let expected: [UInt8] = [0, 0, 0, 0]   // throttle time (v2+)
            + [0, 0]                           // error code
            + [0, 0, 0, 3]                     // generation 3
            + [0, 5] + range                   // protocol name (no protocol type before v7)
            + [0, 1, 0x61] + [0, 1, 0x61]      // leader "a", member id "a"
            + [0, 0, 0, 1]                     // one member
            + [0, 1, 0x61] + [0, 1, 0x69]      // member id, group instance id (v5+)
            + [0, 0, 0, 1, 7]                  // metadata
        #expect(bytes(joinResponse.encoded(version: 5, flexible: false)) == expected)
        var decoded = try decode(JoinGroupResponse.self, expected, version: 5, flexible: false)
        decoded.protocolType = "consumer"
        #expect(decoded == joinResponse)
    }

    @Test func joinGroupResponseV9CarriesTypeAndSkipAssignment() throws {
        let expected: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 3]
            + [9] + consumer                   // protocol type (v7+), compact nullable
            + [6] + range                      // protocol name
            + [2, 0x61]                        // leader
            + [0]                              // skip assignment false (v9+)
            + [2, 0x61]                        // member id
            + [2, 2, 0x61, 2, 0x69, 2, 7, 0]   // one member: id, instance, bytes [7], tags
            + [0]
        #expect(bytes(joinResponse.encoded(version: 9, flexible: true)) == expected)
        #expect(try decode(JoinGroupResponse.self, expected, version: 9, flexible: true) == joinResponse)
    }

    @Test func joinGroupMemberIdRequiredNullsTheProtocolNameFromV7() {
        var response = JoinGroupResponse()
        response.errorCode = KafkaErrorCode.memberIdRequired.rawValue
        response.memberId = "m"
        #expect(bytes(response.encoded(version: 7, flexible: true)) == [0, 0, 0, 0, 0, 79, 0xff, 0xff, 0xff, 0xff, 0, 0, 1, 2, 0x6d, 1, 0])
        // v4 cannot carry a null protocol name: it is written empty.
        #expect(bytes(response.encoded(version: 4, flexible: false)) == [0, 0, 0, 0, 0, 79, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1, 0x6d, 0, 0, 0, 0])
    }

    @Test func offsetCommitRequestV8() throws {
        var request = OffsetCommitRequest()
        request.groupId = "g"
        request.generationIdOrMemberEpoch = 4
        request.memberId = "m"
        request.topics = [.init(name: "t", partitions: [
            .init(partitionIndex: 2, committedOffset: 300, committedLeaderEpoch: 5, committedMetadata: "x"),
            .init(partitionIndex: 3, committedOffset: 0),
        ])]
        let expected: [UInt8] = [2, 0x67]       // group id
            + [0, 0, 0, 4]                     // generation
            + [2, 0x6d]                        // member id
            + [0]                              // group instance id null (v7+)
            + [2, 2, 0x74]                     // one topic "t" (no retention time after v4)
            + [3]                              // two partitions
            + [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0x01, 0x2c, 0, 0, 0, 5, 2, 0x78, 0] // offset 300, epoch 5, "x"
            + [0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0] // epoch -1, metadata null
            + [0]                              // topic's tagged fields
            + [0]
        #expect(bytes(request.encoded(version: 8, flexible: true)) == expected)
        #expect(try decode(OffsetCommitRequest.self, expected, version: 8, flexible: true) == request)
    }

    @Test func offsetCommitRequestV2CarriesRetentionAndV1ATimestamp() throws {
        var request = OffsetCommitRequest()
        request.groupId = "g"
        request.topics = [.init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 1)])]
        let v2: [UInt8] = [0, 1, 0x67, 0xff, 0xff, 0xff, 0xff, 0, 0] + [UInt8](repeating: 0xff, count: 8)
            + [0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff]
        #expect(bytes(request.encoded(version: 2, flexible: false)) == v2)
        let v1: [UInt8] = [0, 1, 0x67, 0xff, 0xff, 0xff, 0xff, 0, 0]
            + [0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
            + [UInt8](repeating: 0xff, count: 8) + [0xff, 0xff] // commit timestamp -1, metadata null
        #expect(bytes(request.encoded(version: 1, flexible: false)) == v1)
        #expect(try decode(OffsetCommitRequest.self, v1, version: 1, flexible: false) == request)
    }

    @Test func offsetFetchRequestV8AsksForSeveralGroups() throws {
        var request = OffsetFetchRequest()
        request.groups = [.init(groupId: "a", topics: [.init(name: "t", partitionIndexes: [0, 1])]), .init(groupId: "b", topics: nil)]
        request.requireStable = true
        let expected: [UInt8] = [3]             // two groups
            + [2, 0x61, 2, 2, 0x74, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0] // "a": topic "t" partitions [0, 1]
            + [2, 0x62, 0, 0]                  // "b": topics null = every committed partition
            + [1]                              // require stable
            + [0]
        #expect(bytes(request.encoded(version: 8, flexible: true)) == expected)
        #expect(try decode(OffsetFetchRequest.self, expected, version: 8, flexible: true) == request)
    }

    @Test func offsetFetchResponseV8() throws {
        var partition = OffsetFetchResponse.Partition()
        partition.partitionIndex = 1
        partition.committedOffset = 42
        partition.committedLeaderEpoch = 0
        partition.metadata = ""
        var missing = OffsetFetchResponse.Partition()
        missing.partitionIndex = 2
        var group = OffsetFetchResponse.Group()
        group.groupId = "a"
        group.topics = [.init(name: "t", partitions: [partition, missing])]
        var response = OffsetFetchResponse()
        response.groups = [group]
        let expected: [UInt8] = [0, 0, 0, 0]   // throttle time
            + [2, 2, 0x61]                     // one group "a"
            + [2, 2, 0x74, 3]                  // one topic "t", two partitions
            + [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 0, 1, 0, 0, 0] // offset 42, epoch 0, "", no error
            + [0, 0, 0, 2] + [UInt8](repeating: 0xff, count: 12) + [0, 0, 0, 0] // -1, -1, null, no error
            + [0]                              // topic's tagged fields
            + [0, 0, 0]                        // group error code, group's tagged fields
            + [0]
        #expect(bytes(response.encoded(version: 8, flexible: true)) == expected)
        #expect(try decode(OffsetFetchResponse.self, expected, version: 8, flexible: true) == response)
    }

    @Test func offsetFetchTopicsNullabilityFollowsVersions() {
        var request = OffsetFetchRequest()
        request.groupId = "g"
        request.topics = nil
        #expect(bytes(request.encoded(version: 1, flexible: false)) == [0, 1, 0x67, 0, 0, 0, 0])
        #expect(bytes(request.encoded(version: 2, flexible: false)) == [0, 1, 0x67, 0xff, 0xff, 0xff, 0xff])
        #expect(bytes(request.encoded(version: 7, flexible: true)) == [2, 0x67, 0, 0, 0])
    }

    @Test func findCoordinatorV0AndV4() throws {
        var request = FindCoordinatorRequest()
        request.key = "g"
        request.coordinatorKeys = ["a", "b"]
        #expect(bytes(request.encoded(version: 0, flexible: false)) == [0, 1, 0x67])
        #expect(bytes(request.encoded(version: 3, flexible: true)) == [2, 0x67, 0, 0])
        #expect(bytes(request.encoded(version: 4, flexible: true)) == [0, 3, 2, 0x61, 2, 0x62, 0])
        var response = FindCoordinatorResponse()
        response.nodeId = 1
        response.host = "h"
        response.port = 9092
        #expect(bytes(response.encoded(version: 0, flexible: false)) == [0, 0, 0, 0, 0, 1, 0, 1, 0x68, 0, 0, 0x23, 0x84])
        var coordinator = FindCoordinatorResponse.Coordinator()
        coordinator.key = "a"
        coordinator.nodeId = 1
        coordinator.host = "h"
        coordinator.port = 9092
        response.coordinators = [coordinator]
        let v4: [UInt8] = [0, 0, 0, 0, 2, 2, 0x61, 0, 0, 0, 1, 2, 0x68, 0, 0, 0x23, 0x84, 0, 0, 0, 0, 0]
        #expect(bytes(response.encoded(version: 4, flexible: true)) == v4)
        #expect(try decode(FindCoordinatorResponse.self, v4, version: 4, flexible: true).coordinators == [coordinator])
    }

    @Test func leaveGroupIsOneMemberBeforeV3AndABatchAfter() throws {
        var request = LeaveGroupRequest()
        request.groupId = "g"
        request.memberId = "m"
        request.members = [.init(memberId: "m"), .init(memberId: "", groupInstanceId: "i")]
        #expect(bytes(request.encoded(version: 2, flexible: false)) == [0, 1, 0x67, 0, 1, 0x6d])
        #expect(bytes(request.encoded(version: 3, flexible: false)) == [0, 1, 0x67, 0, 0, 0, 2, 0, 1, 0x6d, 0xff, 0xff, 0, 0, 0, 1, 0x69])
        #expect(bytes(request.encoded(version: 5, flexible: true)) == [2, 0x67, 3, 2, 0x6d, 0, 0, 0, 1, 2, 0x69, 0, 0, 0])
    }

    @Test func syncGroupV5CarriesProtocolTypeAndName() throws {
        var request = SyncGroupRequest()
        request.groupId = "g"
        request.generationId = 1
        request.memberId = "m"
        request.protocolType = "consumer"
        request.protocolName = "range"
        request.assignments = [.init(memberId: "m", assignment: ByteBuffer(bytes: [9]))]
        let expected: [UInt8] = [2, 0x67, 0, 0, 0, 1, 2, 0x6d, 0] + [9] + consumer + [6] + range + [2, 2, 0x6d, 2, 9, 0, 0]
        #expect(bytes(request.encoded(version: 5, flexible: true)) == expected)
        #expect(try decode(SyncGroupRequest.self, expected, version: 5, flexible: true) == request)
        #expect(bytes(request.encoded(version: 0, flexible: false)) == [0, 1, 0x67, 0, 0, 0, 1, 0, 1, 0x6d, 0, 0, 0, 1, 0, 1, 0x6d, 0, 0, 0, 1, 9])
    }
}
