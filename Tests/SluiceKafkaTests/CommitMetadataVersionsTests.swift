import Foundation
@testable import KafkaWire
@testable import SluiceKafka
import SluiceKafkaClient
import Testing

/// Commit metadata through every OffsetCommit version and back through every OffsetFetch
/// version, over a real server: whatever the client committed, byte for byte. A null
/// commit reads back as "", as Kafka stores it (`OffsetAndMetadata.NoMetadata`).
@Suite struct CommitMetadataVersionsTests {
    static let values: [(String, String?)] = [
        ("null", nil), ("empty", ""), ("ASCII", "Hello"), ("with librdkafka's NUL", "Hello\u{0}"),
        ("UTF-8", "ünïcødé ✓ 日本 🚀"), ("4 KiB", String(repeating: "0123456789abcdef", count: 256)),
        ("4,096 UTF-16 units in 8 KiB of UTF-8", String(repeating: "ü", count: 4096)),
    ]

    @Test func everyCommitVersionThenEveryFetchVersionGivesTheSameBytes() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let client = try await server.client()
            try await client.createTopic("md", partitions: Int32(Self.values.count))
            for commitVersion in OffsetCommitRequest.validVersions.lowest...OffsetCommitRequest.validVersions.highest {
                let group = "md-v\(commitVersion)"
                var commit = OffsetCommitRequest()
                commit.groupId = group
                commit.topics = [.init(name: "md", partitions: Self.values.enumerated().map { index, value in
                    .init(partitionIndex: Int32(index), committedOffset: Int64(100 + index), committedMetadata: value.1)
                })]
                let codes = try await client.send(commit, version: commitVersion).topics.flatMap(\.partitions).map(\.errorCode)
                #expect(codes == Array(repeating: 0, count: Self.values.count), "OffsetCommit v\(commitVersion): \(codes)")
                for fetchVersion in OffsetFetchRequest.validVersions.lowest...OffsetFetchRequest.validVersions.highest {
                    let partitions = try await fetch(client, group: group, version: fetchVersion)
                    for (index, value) in Self.values.enumerated() {
                        let got = partitions.first { $0.partitionIndex == Int32(index) }
                        let label = "\(value.0) committed with v\(commitVersion), fetched with v\(fetchVersion)"
                        #expect(got?.committedOffset == Int64(100 + index), "\(label)")
                        #expect(got?.metadata == (value.1 ?? ""), "\(label): got \(String(reflecting: got?.metadata))")
                        #expect(got?.metadata?.utf8.count == (value.1 ?? "").utf8.count, "\(label)")
                    }
                }
            }
        }
    }

    /// Kafka's `offset.metadata.max.bytes` (4096, in UTF-16 units as Java's `length()`
    /// counts): one more is OFFSET_METADATA_TOO_LARGE.
    @Test func metadataOverFourKiBIsRefusedAndNothingIsStored() async throws {
        try await withServer(broker: groupTestBroker()) { server in
            let client = try await server.client()
            try await client.createTopic("md", partitions: 1)
            for version in OffsetCommitRequest.validVersions.lowest...OffsetCommitRequest.validVersions.highest {
                var commit = OffsetCommitRequest()
                commit.groupId = "big-v\(version)"
                commit.topics = [.init(name: "md", partitions: [.init(partitionIndex: 0, committedOffset: 5,
                                                                       committedMetadata: String(repeating: "x", count: 4097))])]
                let code = try await client.send(commit, version: version).topics.first?.partitions.first?.errorCode
                #expect(code == KafkaErrorCode.offsetMetadataTooLarge.rawValue, "v\(version)")
                #expect(try await fetch(client, group: "big-v\(version)", version: 8).first?.committedOffset == -1, "v\(version)")
            }
        }
    }

    func fetch(_ client: KafkaClient, group: String, version: Int16) async throws -> [OffsetFetchResponse.Partition] {
        var request = OffsetFetchRequest()
        let topics = [OffsetFetchRequest.Topic(name: "md", partitionIndexes: (0..<Int32(Self.values.count)).map { $0 })]
        if version >= 8 {
            request.groups = [.init(groupId: group, topics: topics)]
        } else {
            request.groupId = group
            request.topics = topics
        }
        let response = try await client.send(request, version: version)
        return (response.topics + response.groups.flatMap(\.topics)).filter { $0.name == "md" }.flatMap(\.partitions)
    }
}
