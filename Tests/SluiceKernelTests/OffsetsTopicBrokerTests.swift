import Foundation
import NIOCore
import SluiceKernel
import SluiceMemory
import Testing

/// Every record of one `__consumer_offsets` partition, read back through the broker's fetch.
private func offsetsRecords(_ broker: Broker, group: String) async throws -> [Record] {
    let topic = try #require(await broker.topic(named: OffsetsTopic.name))
    let tp = TopicPartition(OffsetsTopic.name, OffsetsTopic.partition(for: group, partitions: topic.partitionCount))
    let results = await broker.fetch(FetchRequest(partitions: [.init(tp, offset: 0, maxBytes: 1 << 20)], maxWait: .zero, minBytes: 1,
                                                  maxBytes: 1 << 20))
    let read = try results[0].result.get()
    return try RecordBatch.parse(read.payload.load()).flatMap { try $0.records() }
}

@Suite("__consumer_offsets in the broker")
struct OffsetsTopicBrokerTests {
    @Test func commitsAppendKafkaRecordsToTheGroupsPartition() async throws {
        let broker = try await makeBroker { $0.offsetsTopicPartitions = 5 }
        #expect(await broker.topic(named: OffsetsTopic.name) == nil, "created on first use, as Kafka does")
        let time = Date(timeIntervalSince1970: 1_700_000_000)
        let first = [TopicPartition("orders", 0): CommittedOffset(offset: 10, metadata: "m", commitTime: time)]
        let second = [TopicPartition("orders", 0): CommittedOffset(offset: 12, leaderEpoch: 3, commitTime: time)]
        #expect(await broker.groups.commitOffsets(groupId: "g", generationId: -1, memberId: "", groupInstanceId: nil, offsets: first) == nil)
        #expect(await broker.groups.commitOffsets(groupId: "g", generationId: -1, memberId: "", groupInstanceId: nil, offsets: second) == nil)

        let topic = try #require(await broker.topic(named: OffsetsTopic.name))
        #expect(topic.partitionCount == 5)
        #expect(topic.configs["cleanup.policy"] == "compact")
        let records = try await offsetsRecords(broker, group: "g")
        #expect(records.map(\.offset) == [0, 1])
        let key = OffsetsTopicRecords.offsetCommitKey(group: "g", TopicPartition("orders", 0))
        #expect(records.map(\.key) == [key, key])
        #expect(records.map(\.value) == [OffsetsTopicRecords.offsetCommitValue(first.values.first!),
                                         OffsetsTopicRecords.offsetCommitValue(second.values.first!)])
        let latest = try await broker.listOffset(TopicPartition(OffsetsTopic.name, OffsetsTopic.partition(for: "g", partitions: 5)), .latest)
        #expect(latest.offset == 2)
    }

    @Test func deletingAGroupWritesTombstones() async throws {
        let broker = try await makeBroker { $0.offsetsTopicPartitions = 3 }
        let offsets = [TopicPartition("a", 0): CommittedOffset(offset: 1), TopicPartition("a", 1): CommittedOffset(offset: 2)]
        #expect(await broker.groups.commitOffsets(groupId: "doomed", generationId: -1, memberId: "", groupInstanceId: nil, offsets: offsets) == nil)
        #expect(await broker.groups.deleteGroup("doomed") == nil)
        let records = try await offsetsRecords(broker, group: "doomed")
        #expect(records.count == 5)
        let tombstones = records.suffix(3)
        #expect(tombstones.allSatisfy { $0.value == nil })
        #expect(tombstones.map(\.key) == [OffsetsTopicRecords.offsetCommitKey(group: "doomed", TopicPartition("a", 0)),
                                          OffsetsTopicRecords.offsetCommitKey(group: "doomed", TopicPartition("a", 1)),
                                          OffsetsTopicRecords.groupMetadataKey(group: "doomed")])
    }

    @Test func deletingATopicWritesTombstonesForItsCommittedOffsets() async throws {
        let broker = try await makeBroker { $0.offsetsTopicPartitions = 3 }
        try await broker.createTopic("gone", partitions: 2)
        let offsets = [TopicPartition("gone", 1): CommittedOffset(offset: 4), TopicPartition("kept", 0): CommittedOffset(offset: 9)]
        #expect(await broker.groups.commitOffsets(groupId: "reader", generationId: -1, memberId: "", groupInstanceId: nil, offsets: offsets) == nil)
        try await broker.deleteTopic("gone")
        let records = try await offsetsRecords(broker, group: "reader")
        #expect(records.count == 3)
        #expect(records.last?.key == OffsetsTopicRecords.offsetCommitKey(group: "reader", TopicPartition("gone", 1)))
        #expect(records.last.map { $0.value == nil } == true)
    }

    @Test func clientsCannotProduceToDeleteOrCreateIt() async throws {
        let broker = try await makeBroker { $0.offsetsTopicPartitions = 2 }
        await #expect(throws: BrokerError.self) { try await broker.createTopic(OffsetsTopic.name) }
        // A Metadata request naming it creates it, whatever autoCreateTopics says.
        let looked = await broker.lookupTopics([OffsetsTopic.name], allowAutoCreate: false)
        #expect((try? looked.first?.1.get())?.partitionCount == 2)
        let bytes = RecordBatchBuilder().build([Record(key: [1], value: [2], timestamp: 0)]).buffer
        do {
            _ = try await broker.produce(to: TopicPartition(OffsetsTopic.name, 0), bytes: bytes)
            Issue.record("a client's produce to the internal topic was accepted")
        } catch {
            guard case .invalidTopic = error else { Issue.record("expected invalidTopic, got \(error)"); return }
        }
        await #expect(throws: BrokerError.self) { try await broker.deleteTopic(OffsetsTopic.name) }
        #expect(await broker.topic(named: OffsetsTopic.name) != nil)
        await #expect(throws: BrokerError.topicAlreadyExists(OffsetsTopic.name)) { try await broker.createTopic(OffsetsTopic.name) }
    }

    @Test func theTopicAndItsRecordsSurviveARestart() async throws {
        let storage = MemoryLogStorage()
        let metadata = MemoryMetadataStore()
        let before = try await makeBroker({ $0.offsetsTopicPartitions = 4 }, storage: storage, metadata: metadata)
        let offsets = [TopicPartition("t", 0): CommittedOffset(offset: 7)]
        #expect(await before.groups.commitOffsets(groupId: "keep", generationId: -1, memberId: "", groupInstanceId: nil, offsets: offsets) == nil)
        // A second broker on the same stores, as after a crash (the memory storage does not reopen after close).
        let after = try await makeBroker({ $0.offsetsTopicPartitions = 9 }, storage: storage, metadata: metadata)
        #expect(await after.topic(named: OffsetsTopic.name)?.partitionCount == 4, "an existing topic keeps its partition count")
        let records = try await offsetsRecords(after, group: "keep")
        #expect(records.map(\.value) == [OffsetsTopicRecords.offsetCommitValue(offsets.values.first!)])
    }

    @Test(.timeLimit(.minutes(1))) func aSettledGroupIsRecordedWithItsMembersAndAssignments() async throws {
        let broker = try await makeBroker { $0.offsetsTopicPartitions = 3; $0.groupInitialRebalanceDelayMs = 0 }
        let request = JoinGroupRequest(groupId: "members", memberId: "", groupInstanceId: "static-1", clientId: "client-a",
                                       clientHost: "/127.0.0.1", sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000,
                                       protocolType: "consumer", protocols: [("range", [9, 9])], requireKnownMemberId: true)
        let joined = await broker.groups.join(request)
        #expect(joined.error == nil)
        let synced = await broker.groups.sync(groupId: "members", generationId: joined.generationId, memberId: joined.memberId,
                                              groupInstanceId: "static-1", protocolType: "consumer", protocolName: "range",
                                              assignments: [joined.memberId: [4, 2]])
        #expect(synced.error == nil)
        var records: [Record] = []
        for _ in 0..<200 where records.isEmpty {
            if await broker.topic(named: OffsetsTopic.name) != nil { records = try await offsetsRecords(broker, group: "members") }
            if records.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        }
        let expected = GroupMetadataSnapshot(
            protocolType: "consumer", generation: joined.generationId, protocolName: "range", leader: joined.memberId,
            currentStateTimestamp: 0,
            members: [.init(memberId: joined.memberId, groupInstanceId: "static-1", clientId: "client-a", clientHost: "/127.0.0.1",
                            rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 10_000, subscription: [9, 9], assignment: [4, 2])])
        let record = try #require(records.last)
        #expect(record.key == OffsetsTopicRecords.groupMetadataKey(group: "members"))
        // The state timestamp is the write time: compare everything around its 8 bytes.
        let encoded = OffsetsTopicRecords.groupMetadataValue(expected)
        let value = try #require(record.value)
        let stamp = 2 + 2 + 8 + 4 + 2 + 5 + 2 + joined.memberId.utf8.count
        #expect(value.count == encoded.count)
        #expect(Array(value[..<stamp]) == Array(encoded[..<stamp]))
        #expect(Array(value[(stamp + 8)...]) == Array(encoded[(stamp + 8)...]))
    }
}
