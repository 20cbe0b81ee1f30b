import Foundation
@testable import KafkaWire
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import SluiceMemory
import Testing

/// A broker restarted over the same metadata store (what a durable metadata plugin gives):
/// committed offsets are served again, and a member of the old generation is sent to
/// rejoin instead of committing into a generation the new coordinator never formed.
@Suite struct GroupRestartTests {
    @Test func offsetsAndGenerationOutliveABrokerRestart() async throws {
        let metadata = MemoryMetadataStore()
        let old = try await TestServer.start(broker: groupTestBroker(), metadata: metadata)
        let client = try await old.client()
        try await client.createTopic("t", partitions: 2)
        let joined = try await client.joinNewMember("durable")
        _ = try await client.syncGroup("durable", generation: joined.generationId, memberId: joined.memberId)
        #expect(try await client.commit("durable", [("t", 1, 42)], generation: joined.generationId,
                                        memberId: joined.memberId, leaderEpoch: 3, metadata: "kept") == [0])
        await client.close()
        await old.stop()

        let restarted = try await TestServer.start(broker: groupTestBroker(), metadata: metadata)
        let again = try await restarted.client()
        var fetch = OffsetFetchRequest()
        fetch.groups = [.init(groupId: "durable", topics: [.init(name: "t", partitionIndexes: [0, 1])])]
        let partitions = try await again.send(fetch, version: 8).groups[0].topics[0].partitions
        #expect(partitions.map(\.committedOffset) == [-1, 42])
        #expect(partitions[1].committedLeaderEpoch == 3 && partitions[1].metadata == "kept")
        #expect(try await again.commit("durable", [("t", 1, 43)], generation: joined.generationId, memberId: joined.memberId) == [22])
        let rejoined = try await again.joinNewMember("durable")
        #expect(rejoined.errorCode == 0 && rejoined.generationId > joined.generationId)
        await again.close()
        await restarted.stop()
    }
}
