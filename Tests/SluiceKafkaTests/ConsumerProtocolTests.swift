@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import Testing

@Suite struct ConsumerProtocolTests {
    @Test func subscriptionAndAssignmentBytesAreKafkasVersion0Layout() throws {
        let subscription = ConsumerProtocol.encode(.init(topics: ["ab"]))
        // version 0, one topic "ab", null user data
        #expect(Array(subscription.readableBytesView) == [0, 0, 0, 0, 0, 1, 0, 2, 0x61, 0x62, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try ConsumerProtocol.decodeSubscription(subscription) == .init(topics: ["ab"]))

        let assignment = ConsumerProtocol.encode(.init(partitions: ["t": [2, 0]]))
        #expect(Array(assignment.readableBytesView) == [0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try ConsumerProtocol.decodeAssignment(assignment) == .init(partitions: ["t": [0, 2]]))
        #expect(try ConsumerProtocol.decodeAssignment(ByteBuffer()) == .init(partitions: [:]), "no bytes: nothing assigned")
    }

    @Test func laterSubscriptionVersionsAreReadForTheirTopics() throws {
        // v1 adds owned partitions after the user data; a v0 reader takes the topics.
        var bytes = ByteBuffer(bytes: [0, 1, 0, 0, 0, 1, 0, 1, 0x78, 0, 0, 0, 0])
        bytes.writeBytes([0, 0, 0, 0])
        #expect(try ConsumerProtocol.decodeSubscription(bytes).topics == ["x"])
        #expect(throws: ConsumerProtocolError.self) { try ConsumerProtocol.decodeSubscription(ByteBuffer(bytes: [0, 0, 0, 0, 0, 5])) }
    }

    @Test func rangeGivesConsecutivePartitionsPerTopic() {
        let members = ["a": ConsumerProtocol.Subscription(topics: ["t", "u"]), "b": .init(topics: ["t"])]
        let result = ConsumerAssignor.range.assign(members: members, partitions: ["t": 5, "u": 2])
        #expect(result["a"]?.partitions == ["t": [0, 1, 2], "u": [0, 1]])
        #expect(result["b"]?.partitions == ["t": [3, 4]])
    }

    @Test func roundRobinDealsPartitionsToSubscribers() {
        let members = ["a": ConsumerProtocol.Subscription(topics: ["t"]), "b": .init(topics: ["t"]), "c": .init(topics: ["other"])]
        let result = ConsumerAssignor.roundrobin.assign(members: members, partitions: ["t": 4])
        #expect(result["a"]?.partitions == ["t": [0, 2]])
        #expect(result["b"]?.partitions == ["t": [1, 3]])
        #expect(result["c"]?.partitions == [:], "not subscribed to t")
    }
}
