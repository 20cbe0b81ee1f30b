import Foundation
import GRDB
import SluiceKernel
@testable import SluiceSQLite
import Testing

/// The registry, offsets, groups and connector positions on a real file.
@Suite struct StoreBehaviourTests {
    @Test func topicRegistryRules() async throws {
        try await withTemporaryDirectory { dir in
            try await withStore(at: dir.appendingPathComponent("m.sqlite")) { store in
                try await store.createTopic(Fixture.logs)
                await #expect(throws: MetadataError.topicExists("logs")) {
                    try await store.createTopic(TopicRecord(name: "logs", partitionCount: 1))
                }
                try await store.setPartitionCount(topic: "logs", count: 5, replicas: [])
                await #expect(throws: MetadataError.invalidPartitionCount(topic: "logs", current: 5, requested: 5)) {
                    try await store.setPartitionCount(topic: "logs", count: 5, replicas: [])
                }
                await #expect(throws: MetadataError.unknownTopic("nope")) {
                    try await store.setPartitionCount(topic: "nope", count: 2, replicas: [])
                }
                try await store.updateTopicConfigs(topic: "logs", set: ["retention.ms": "1000", "cleanup.policy": nil,
                                                                       "max.message.bytes": "2048"])
                await #expect(throws: MetadataError.unknownTopic("nope")) {
                    try await store.updateTopicConfigs(topic: "nope", set: ["a": "b"])
                }
                let logs = try #require(try await store.topics().first)
                #expect(logs.partitionCount == 5)
                #expect(logs.configs == ["retention.ms": "1000", "max.message.bytes": "2048"])
                #expect(logs.id == Fixture.logs.id && logs.createdAt == Fixture.logs.createdAt)
            }
        }
    }

    @Test func deletingATopicRemovesItsConfigsAndEveryGroupsOffsetsForIt() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("m.sqlite")
            try await withStore(at: url) { store in
                try await Fixture.populate(store)
                try await store.commitOffsets(group: "other", [TopicPartition("logs", 1): CommittedOffset(offset: 3)])
                try await store.deleteTopic(named: "logs")
                await #expect(throws: MetadataError.unknownTopic("logs")) { try await store.deleteTopic(named: "logs") }
                #expect(try await store.topics().map(\.name) == ["metrics"])
                #expect(try await store.committedOffsets(group: "readers").keys.sorted() == [TopicPartition("metrics", 0)])
                #expect(try await store.committedOffsets(group: "other").isEmpty)
                // "other" had only offsets for the deleted topic and no state: it is gone.
                #expect(try await store.groups() == ["readers"])
                // Recreating the name starts clean: no stale configs come back.
                try await store.createTopic(TopicRecord(name: "logs", partitionCount: 1))
                #expect(try await store.topics().first?.configs == [:])
            }
            let configRows = try inspectFile(url) { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM topicConfig") }
            #expect(configRows == 0)
        }
    }

    @Test func groupsOffsetsAndStateLifecycle() async throws {
        try await withTemporaryDirectory { dir in
            try await withStore(at: dir.appendingPathComponent("m.sqlite")) { store in
                try await store.saveGroupState(GroupStateRecord(group: "b-state-only", protocolType: nil, generation: 1,
                                                                updatedAt: Fixture.committed))
                try await store.commitOffsets(group: "a-offsets-only", Fixture.offsets)
                #expect(try await store.groups() == ["a-offsets-only", "b-state-only"])
                #expect(try await store.groupState("b-state-only")?.protocolType == nil)
                #expect(try await store.groupState("a-offsets-only") == nil)

                // A later commit replaces offset, epoch, metadata and time per partition.
                let later = CommittedOffset(offset: 99, leaderEpoch: nil, metadata: nil, commitTime: Fixture.created)
                try await store.commitOffsets(group: "a-offsets-only", [TopicPartition("logs", 0): later])
                var expected = Fixture.offsets
                expected[TopicPartition("logs", 0)] = later
                #expect(try await store.committedOffsets(group: "a-offsets-only") == expected)

                try await store.deleteOffsets(group: "a-offsets-only", partitions: [TopicPartition("logs", 0),
                                                                                    TopicPartition("absent", 9)])
                expected[TopicPartition("logs", 0)] = nil
                #expect(try await store.committedOffsets(group: "a-offsets-only") == expected)

                try await store.saveGroupState(GroupStateRecord(group: "b-state-only", protocolType: "consumer",
                                                                generation: 2, updatedAt: Fixture.created))
                #expect(try await store.groupState("b-state-only")?.generation == 2)
                try await store.deleteGroup("a-offsets-only")
                try await store.deleteGroup("b-state-only")
                #expect(try await store.groups().isEmpty)
                #expect(try await store.groupState("b-state-only") == nil)
            }
        }
    }

    @Test func aBatchCommitThatFailsPartWayStoresNothing() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("m.sqlite")
            try await withStore(at: url) { store in
                // Make the 58th row of the batch fail inside SQLite, after 57 were written
                // in the same transaction.
                let saboteur = try DatabaseQueue(path: url.path)
                try await saboteur.write { db in
                    try db.execute(sql: """
                        CREATE TRIGGER failOnPartition57 BEFORE INSERT ON committedOffset
                        WHEN NEW.partition = 57 BEGIN SELECT RAISE(ABORT, 'injected failure'); END
                        """)
                }
                try saboteur.close()
                var batch: [TopicPartition: CommittedOffset] = [:]
                for p in Int32(0)..<100 { batch[TopicPartition("t", p)] = CommittedOffset(offset: Int64(p)) }
                await #expect(throws: DatabaseError.self) { try await store.commitOffsets(group: "g", batch) }
                #expect(try await store.committedOffsets(group: "g").isEmpty)
                batch[TopicPartition("t", 57)] = nil
                try await store.commitOffsets(group: "g", batch)
                #expect(try await store.committedOffsets(group: "g").count == 99)
            }
        }
    }

    @Test func concurrentCommitsFromManyTasksAllLand() async throws {
        try await withTemporaryDirectory { dir in
            try await withStore(at: dir.appendingPathComponent("m.sqlite")) { store in
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    for writer in 0..<16 {
                        tasks.addTask {
                            for n in 0..<10 {
                                try await store.commitOffsets(group: "g\(writer)", [
                                    TopicPartition("t", Int32(n)): CommittedOffset(offset: Int64(writer * 100 + n)),
                                ])
                                _ = try await store.committedOffsets(group: "g\(writer)")
                            }
                        }
                    }
                    try await tasks.waitForAll()
                }
                #expect(try await store.groups().count == 16)
                for writer in 0..<16 {
                    let offsets = try await store.committedOffsets(group: "g\(writer)")
                    #expect(offsets.count == 10)
                    #expect(offsets[TopicPartition("t", 9)]?.offset == Int64(writer * 100 + 9))
                }
            }
        }
    }

    @Test func connectorPositionsMergePerKeyAndStayApartPerConnector() async throws {
        try await withTemporaryDirectory { dir in
            try await withStore(at: dir.appendingPathComponent("m.sqlite")) { store in
                #expect(try await store.connectorPositions(connector: "archive").isEmpty)
                try await store.setConnectorPositions(connector: "archive", ["logs-0": "1", "logs-1": "2"])
                try await store.setConnectorPositions(connector: "archive", ["logs-1": "5"])
                try await store.setConnectorPositions(connector: "beats", ["cursor": "abc"])
                #expect(try await store.connectorPositions(connector: "archive") == ["logs-0": "1", "logs-1": "5"])
                #expect(try await store.connectorPositions(connector: "beats") == ["cursor": "abc"])
            }
        }
    }

    @Test func aClosedStoreThrowsClosed() async throws {
        try await withTemporaryDirectory { dir in
            let store = try SQLiteMetadataStore(url: dir.appendingPathComponent("m.sqlite"))
            try await store.close()
            await #expect(throws: MetadataError.closed) { try await store.topics() }
            await #expect(throws: MetadataError.closed) { try await store.commitOffsets(group: "g", Fixture.offsets) }
            await #expect(throws: MetadataError.closed) { try await store.close() }
        }
    }
}
