import Foundation
import SluiceKernel
import Testing

@Suite("http plugin: admin API")
struct AdminAPITests {
    @Test func topicsListEveryPartitionWithOffsetsSizeAndConfigs() async throws {
        try await withHTTPServer { server in
            try await server.broker.createTopic("orders", partitions: 2, configs: ["retention.ms": "60000"])
            try await server.produce(TopicPartition("orders", 1), count: 250)
            let (status, value) = try await server.json("/api/topics")
            #expect(status == 200)
            let topics = try #require(value as? [[String: Any]])
            #expect(topics.count == 1)
            let orders = topics[0]
            #expect(orders["name"] as? String == "orders")
            #expect((orders["configs"] as? [String: String])?["retention.ms"] == "60000")
            let partitions = try #require(orders["partitions"] as? [[String: Any]])
            #expect(partitions.map { $0["partition"] as? Int } == [0, 1])
            #expect(partitions.map { $0["logStartOffset"] as? Int } == [0, 0])
            #expect(partitions.map { $0["logEndOffset"] as? Int } == [0, 250])
            #expect(partitions[0]["sizeBytes"] as? Int == 0)
            #expect((partitions[1]["sizeBytes"] as? Int ?? 0) > 250 * 10, "250 records of ~20 bytes are stored")
        }
    }

    @Test func groupsShowCommittedOffsetLogEndAndLagPerPartition() async throws {
        try await withHTTPServer { server in
            try await server.broker.createTopic("events", partitions: 1)
            try await server.produce(TopicPartition("events", 0), count: 1000)
            let error = await server.broker.groups.commitOffsets(groupId: "billing", generationId: -1, memberId: "", groupInstanceId: nil,
                                                                 offsets: [TopicPartition("events", 0): CommittedOffset(offset: 400)])
            #expect(error == nil)
            let (status, value) = try await server.json("/api/groups")
            #expect(status == 200)
            let groups = try #require(value as? [[String: Any]])
            let billing = try #require(groups.first { $0["group"] as? String == "billing" })
            #expect(billing["state"] as? String == "Empty")
            #expect((billing["members"] as? [Any])?.isEmpty == true)
            let offsets = try #require(billing["offsets"] as? [[String: Any]])
            #expect(offsets.count == 1)
            #expect(offsets[0]["topic"] as? String == "events")
            #expect(offsets[0]["partition"] as? Int == 0)
            #expect(offsets[0]["committed"] as? Int == 400)
            #expect(offsets[0]["logEndOffset"] as? Int == 1000)
            #expect(offsets[0]["lag"] as? Int == 600)
        }
    }

    @Test func connectorsAndReadinessFollowTheStatusBoard() async throws {
        let board = ServiceStatusBoard()
        await board.register(label: "connectors[0] \"archive\" (file-sink)", instance: "archive", plugin: "file-sink", kind: .sink)
        await board.register(label: "protocols[1] (http)", instance: "http", plugin: "http", kind: .protocol)
        await board.set("protocols[1] (http)", .running)
        try await withHTTPServer(statusBoard: board) { server in
            try await server.broker.setConnectorPositions(connector: "archive", ["logs-0": "42"])
            let (notReady, body) = try await server.json("/readyz")
            #expect(notReady == 503)
            let names = try #require((body as? [String: Any])?["notReady"] as? [String])
            #expect(names == ["connectors[0] \"archive\" (file-sink): starting"])

            await board.set("connectors[0] \"archive\" (file-sink)", .failed, error: "disk full")
            let (status, value) = try await server.json("/api/connectors")
            #expect(status == 200)
            let services = try #require(value as? [[String: Any]])
            #expect(services.map { $0["name"] as? String } == ["archive", "http"])
            #expect(services[0]["plugin"] as? String == "file-sink")
            #expect(services[0]["state"] as? String == "failed")
            #expect(services[0]["lastError"] as? String == "disk full")
            #expect((services[0]["position"] as? [String: String]) == ["logs-0": "42"])

            await board.set("connectors[0] \"archive\" (file-sink)", .running)
            #expect(try await server.get("/readyz").status == 200)
            #expect(try await server.get("/healthz").status == 200)
        }
    }
}
