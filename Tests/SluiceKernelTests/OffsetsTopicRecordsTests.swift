import Foundation
import SluiceKernel
import Testing

/// The `__consumer_offsets` encoders against layouts written out by hand from Kafka's
/// OffsetCommitKey/Value and GroupMetadataKey/Value message specs.
@Suite("__consumer_offsets records")
struct OffsetsTopicRecordsTests {
    @Test func javaStringHashCodeAndKafkasAbsPickThePartition() {
        #expect(OffsetsTopic.javaHashCode("") == 0)
        #expect(OffsetsTopic.javaHashCode("a") == 97)
        #expect(OffsetsTopic.javaHashCode("hello") == 99_162_322)
        #expect(OffsetsTopic.javaHashCode("my-group") == -1_906_497_762)
        // UTF-16 code units, as Java counts them, not UTF-8 bytes.
        #expect(OffsetsTopic.javaHashCode("grüße-€") == 426_799_350)
        // Its hash is Int32.min: Kafka's Utils.abs makes it 0, not a negative partition.
        #expect(OffsetsTopic.javaHashCode("polygenelubricants") == Int32.min)
        #expect(OffsetsTopic.partition(for: "polygenelubricants", partitions: 50) == 0)
        #expect(OffsetsTopic.partition(for: "my-group", partitions: 50) == 12)
        #expect(OffsetsTopic.partition(for: "a", partitions: 50) == 47)
        #expect(OffsetsTopic.partition(for: "console-consumer-12345", partitions: 50) == 6)
        #expect(OffsetsTopic.partition(for: "anything", partitions: 1) == 0)
    }

    @Test func offsetCommitKeyV1() {
        let key = OffsetsTopicRecords.offsetCommitKey(group: "g1", TopicPartition("t", 3))
        #expect(key == [0x00, 0x01,                 // version 1
                        0x00, 0x02, 0x67, 0x31,     // "g1"
                        0x00, 0x01, 0x74,           // "t"
                        0x00, 0x00, 0x00, 0x03])    // partition 3
    }

    @Test func offsetCommitValueV3() {
        let time = Date(timeIntervalSince1970: 1_700_000_000.123)
        let value = OffsetsTopicRecords.offsetCommitValue(CommittedOffset(offset: 42, leaderEpoch: 5, metadata: "m", commitTime: time))
        #expect(value == [0x00, 0x03,                                       // version 3
                          0, 0, 0, 0, 0, 0, 0, 42,                          // offset
                          0, 0, 0, 5,                                       // leader epoch
                          0x00, 0x01, 0x6D,                                 // metadata "m"
                          0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x7B])  // 1700000000123 ms
        let bare = OffsetsTopicRecords.offsetCommitValue(CommittedOffset(offset: -1, commitTime: Date(timeIntervalSince1970: 0)))
        #expect(bare == [0x00, 0x03,
                         0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                         0xFF, 0xFF, 0xFF, 0xFF,        // no leader epoch: -1
                         0x00, 0x00,                    // no metadata: empty string (not null)
                         0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func groupMetadataKeyV2() {
        #expect(OffsetsTopicRecords.groupMetadataKey(group: "grp") == [0x00, 0x02, 0x00, 0x03, 0x67, 0x72, 0x70])
    }

    @Test func groupMetadataValueV3WithAStaticAndADynamicMember() {
        let snapshot = GroupMetadataSnapshot(
            protocolType: "consumer", generation: 7, protocolName: "range", leader: "m1", currentStateTimestamp: 256,
            members: [
                .init(memberId: "m1", groupInstanceId: "i1", clientId: "c", clientHost: "/h", rebalanceTimeoutMs: 300_000,
                      sessionTimeoutMs: 10_000, subscription: [1, 2], assignment: [3]),
                .init(memberId: "m2", groupInstanceId: nil, clientId: "c", clientHost: "/h", rebalanceTimeoutMs: 1,
                      sessionTimeoutMs: 2, subscription: [], assignment: []),
            ])
        let expected: [UInt8] = [
            0x00, 0x03,                                                 // version 3
            0x00, 0x08] + Array("consumer".utf8) + [                    // protocol type
            0x00, 0x00, 0x00, 0x07,                                     // generation
            0x00, 0x05] + Array("range".utf8) + [                       // protocol
            0x00, 0x02, 0x6D, 0x31,                                     // leader "m1"
            0, 0, 0, 0, 0, 0, 0x01, 0x00,                               // current state timestamp 256
            0x00, 0x00, 0x00, 0x02,                                     // 2 members
            0x00, 0x02, 0x6D, 0x31,                                     //   member id "m1"
            0x00, 0x02, 0x69, 0x31,                                     //   group instance id "i1"
            0x00, 0x01, 0x63,                                           //   client id "c"
            0x00, 0x02, 0x2F, 0x68,                                     //   client host "/h"
            0x00, 0x04, 0x93, 0xE0,                                     //   rebalance timeout 300000
            0x00, 0x00, 0x27, 0x10,                                     //   session timeout 10000
            0x00, 0x00, 0x00, 0x02, 0x01, 0x02,                         //   subscription
            0x00, 0x00, 0x00, 0x01, 0x03,                               //   assignment
            0x00, 0x02, 0x6D, 0x32,                                     //   member id "m2"
            0xFF, 0xFF,                                                 //   no group instance id
            0x00, 0x01, 0x63,
            0x00, 0x02, 0x2F, 0x68,
            0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x00, 0x02,
            0x00, 0x00, 0x00, 0x00,                                     //   empty subscription
            0x00, 0x00, 0x00, 0x00,                                     //   empty assignment
        ]
        #expect(OffsetsTopicRecords.groupMetadataValue(snapshot) == expected)
    }

    @Test func anEmptyGroupHasNullProtocolAndLeader() {
        let snapshot = GroupMetadataSnapshot(protocolType: "consumer", generation: 1, protocolName: nil, leader: nil,
                                             currentStateTimestamp: -1, members: [])
        let expected: [UInt8] = [0x00, 0x03, 0x00, 0x08] + Array("consumer".utf8) + [
            0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        #expect(OffsetsTopicRecords.groupMetadataValue(snapshot) == expected)
    }
}
