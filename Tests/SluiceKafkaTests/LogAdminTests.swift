import Foundation
@testable import KafkaWire
import Logging
@testable import SluiceKafka
import SluiceKafkaClient
@testable import SluiceKernel
import SluiceMemory
import SluiceSegmentLog
import Testing

/// DeleteRecords, DescribeLogDirs and DescribeCluster over real sockets, in every version
/// the 3.9 specs declare.
@Suite struct LogAdminTests {
    func code(_ body: () async throws -> Void) async -> KafkaErrorCode? {
        do {
            try await body()
            return nil
        } catch KafkaClientError.broker(let code, _, _) {
            return code
        } catch {
            return .unknownServerError
        }
    }

    @Test func deleteRecordsMovesTheLogStartInEveryVersion() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("dr", partitions: 2)
            for _ in 0..<4 { try await client.produce(topic: "dr", partition: 0, records: sampleRecords(5)) }
            // Every version: records before 3, 7, 12 go; the low watermark follows.
            for (version, before) in zip(Int16(0)...2, [Int64(3), 7, 12]) {
                var request = DeleteRecordsRequest()
                request.topics = [.init(name: "dr", partitions: [.init(partitionIndex: 0, offset: before)])]
                let response = try await client.send(request, version: version)
                let partition = response.topics.first?.partitions.first
                #expect(partition?.errorCode == 0 && partition?.lowWatermark == before, "v\(version): \(String(describing: partition))")
            }
            #expect(try await client.listOffset(topic: "dr", partition: 0, .earliest).offset == 12)
            #expect(await code { _ = try await client.fetch(topic: "dr", partition: 0, offset: 11) } == .offsetOutOfRange)
            let fetched = try await client.fetch(topic: "dr", partition: 0, offset: 12)
            #expect(fetched.logStartOffset == 12)
            #expect(try fetched.records().filter { $0.offset >= 12 }.map(\.offset) == Array(12...19))

            // Lower offsets leave it; past the high watermark is out of range; -1 is the high watermark.
            #expect(try await client.deleteRecords(topic: "dr", before: [0: 5]) == [0: 12])
            #expect(await code { _ = try await client.deleteRecords(topic: "dr", before: [0: 21]) } == .offsetOutOfRange)
            #expect(await code { _ = try await client.deleteRecords(topic: "dr", before: [0: -5]) } == .offsetOutOfRange)
            #expect(try await client.deleteRecords(topic: "dr", before: [0: -1, 1: -1]) == [0: 20, 1: 0])
            #expect(try await client.listOffset(topic: "dr", partition: 0, .earliest).offset == 20)
            #expect(await code { _ = try await client.deleteRecords(topic: "nope", before: [0: 1]) } == .unknownTopicOrPartition)
            #expect(await code { _ = try await client.deleteRecords(topic: "__consumer_offsets", before: [0: 0]) } == .invalidTopic)
            #expect(await code { _ = try await client.deleteRecords(topic: "dr", before: [7: 1]) } == .unknownTopicOrPartition)
            // Appends continue at the log end.
            #expect(try await client.produce(topic: "dr", partition: 0, records: sampleRecords(2)) == 20)
            await client.close()
        }
    }

    @Test func deleteRecordsSurvivesARestartOfSegmentLogStorage() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-dr-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let metadata = MemoryMetadataStore()
        func storage() throws -> SegmentLogStorage {
            try SegmentLogStorage(configuration: SegmentLogStorageFactory.Configuration(), directory: directory, logger: Logger(label: "test"))
        }
        try await withServer(storage: try storage(), metadata: metadata) { server in
            let client = try await server.client()
            try await client.createTopic("durable", partitions: 1, configs: ["segment.bytes": "1024"])
            for _ in 0..<20 { try await client.produce(topic: "durable", partition: 0, records: sampleRecords(5)) }
            let before = await server.broker.partitionSnapshot(TopicPartition("durable", 0))?.sizeBytes ?? 0
            #expect(try await client.deleteRecords(topic: "durable", before: [0: 57]) == [0: 57])
            let after = await server.broker.partitionSnapshot(TopicPartition("durable", 0))?.sizeBytes ?? 0
            #expect(after < before, "whole segments below the log start are deleted (\(before) → \(after))")
            let dirs = try await client.describeLogDirs()
            #expect(dirs.map(\.path) == [directory.standardizedFileURL.path])
            #expect(dirs.first?.partitionSizes["durable"]?[0] == after)
            #expect(dirs.first.map { $0.totalBytes > 0 && $0.usableBytes > 0 && $0.usableBytes <= $0.totalBytes } == true)
            await client.close()
        }
        try await withServer(storage: try storage(), metadata: metadata) { server in
            let client = try await server.client()
            #expect(try await client.listOffset(topic: "durable", partition: 0, .earliest).offset == 57)
            #expect(try await client.listOffset(topic: "durable", partition: 0, .latest).offset == 100)
            #expect(await code { _ = try await client.fetch(topic: "durable", partition: 0, offset: 56) } == .offsetOutOfRange)
            await client.close()
        }
    }

    @Test func describeLogDirsInEveryVersion() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("a", partitions: 2)
            try await client.createTopic("b", partitions: 1)
            try await client.produce(topic: "a", partition: 1, records: sampleRecords(4))
            let size = await server.broker.partitionSnapshot(TopicPartition("a", 1))?.sizeBytes
            for version in Int16(0)...4 {
                let response = try await client.send(DescribeLogDirsRequest(), version: version)
                #expect(response.errorCode == 0 && response.results.count == 1, "v\(version)")
                let dir = response.results[0]
                #expect(dir.logDir == "memory" && dir.errorCode == 0)
                #expect(dir.totalBytes == -1 && dir.usableBytes == -1, "memory storage has no file system")
                #expect(dir.topics.map(\.name).sorted() == ["a", "b"], "v\(version)")
                let a = dir.topics.first { $0.name == "a" }
                #expect(a?.partitions.map(\.partitionIndex).sorted() == [0, 1])
                let one = a?.partitions.first { $0.partitionIndex == 1 }
                #expect(one?.partitionSize == size && one?.offsetLag == 0 && one?.isFutureKey == false)
            }
            var only = DescribeLogDirsRequest()
            only.topics = [.init(topic: "a", partitions: [1])]
            let filtered = try await client.send(only, version: 4)
            #expect(filtered.results.first?.topics.map(\.name) == ["a"])
            #expect(filtered.results.first?.topics.first?.partitions.map(\.partitionIndex) == [1])
            await client.close()
        }
    }

    @Test func describeClusterInEveryVersion() async throws {
        try await withServer { server in
            let client = try await server.client()
            for version in Int16(0)...1 {
                let response = try await client.send(DescribeClusterRequest(), version: version)
                #expect(response.errorCode == 0 && response.errorMessage == nil)
                #expect(!response.clusterId.isEmpty && response.controllerId == 0)
                #expect(response.brokers.map(\.brokerId) == [0] && response.brokers.first?.port == Int32(server.address.port))
                #expect(response.clusterAuthorizedOperations == Int32.min, "not requested: -2147483648")
            }
            var withOperations = DescribeClusterRequest()
            withOperations.includeClusterAuthorizedOperations = true
            #expect(try await client.send(withOperations).clusterAuthorizedOperations == MetadataHandler.clusterOperations)
            var controllers = DescribeClusterRequest()
            controllers.endpointType = 2
            #expect(try await client.send(controllers, version: 1).errorCode == KafkaErrorCode.mismatchedEndpointType.rawValue)
            let described = try await client.describeCluster()
            let metadata = try await client.metadata(topics: [])
            #expect(described.clusterId == metadata.clusterId && described.controllerId == metadata.controllerId)
            await client.close()
        }
    }

    @Test func deleteRecordsOnTheLeaderReachesTheFollowers() async throws {
        let tp = TopicPartition("dr-repl", 0)
        let topic = TopicRecord(name: "dr-repl", partitionCount: 1, replicas: [[1, 2, 3]])
        try await withCluster(topics: [topic], replication: testReplication()) { cluster in
            try await cluster.setState(tp, leader: 1, epoch: 1, isr: [1, 2, 3])
            let leader = try await cluster[1].client()
            for _ in 0..<3 { try await leader.produce(topic: "dr-repl", partition: 0, records: sampleRecords(4), acks: -1) }
            #expect(await eventually { await cluster[3].info(tp)?.highWatermark == 12 })
            let follower = try await cluster[2].client()
            #expect(await code { _ = try await follower.deleteRecords(topic: "dr-repl", before: [0: 5]) } == .notLeaderOrFollower)
            #expect(try await leader.deleteRecords(topic: "dr-repl", before: [0: 5]) == [0: 5])
            // Followers take the leader's log start from their next fetch answers.
            for id: Int32 in [2, 3] {
                #expect(await eventually { await cluster[id].broker.partition(tp)?.logStartOffset == 5 }, "broker \(id)")
            }
            await leader.close()
            await follower.close()
        }
    }
}
