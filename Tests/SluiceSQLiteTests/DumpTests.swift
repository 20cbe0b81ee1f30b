import Foundation
import SluiceKernel
@testable import SluiceSQLite
import Testing

/// `sluice metadata dump`'s rendering and its read-only access to the file.
@Suite struct DumpTests {
    @Test func textDumpListsTopicsConfigsGroupsOffsetsAndConnectors() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            try await withStore(at: url) { store in try await Fixture.populate(store) }
            let text = try SQLiteMetadataDump.dump(url, format: .text)
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.first == "metadata file \(url.path)")
            #expect(lines.contains("topics (2)"))
            #expect(lines.contains("  logs  id=\(Fixture.logs.id.uuidString.lowercased())  partitions=3  created=2026-05-09T06:13:20.123Z"))
            #expect(lines.contains("    cleanup.policy=delete"))
            #expect(lines.contains("    retention.ms=3600000"))
            #expect(lines.contains("groups (1)"))
            #expect(lines.contains("  readers  protocol=consumer  generation=5  updated=2026-05-09T06:15:23.987Z"))
            #expect(lines.contains("    logs-0  offset=42  leaderEpoch=3  metadata=\"m0\"  committed=2026-05-09T06:15:23.987Z"))
            #expect(lines.contains("    logs-2  offset=7  committed=2026-05-09T06:15:23.987Z"))
            #expect(lines.contains("connectors (1)"))
            #expect(lines.contains("    logs-1=4"))
        }
    }

    @Test func jsonDumpCarriesTheSameContent() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            try await withStore(at: url) { store in try await Fixture.populate(store) }
            let json = try SQLiteMetadataDump.dump(url, format: .json)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(root["path"] as? String == url.path)
            #expect(root["schemaMigrations"] as? [String] == SQLiteSchema.knownMigrations)
            let topics = try #require(root["topics"] as? [[String: Any]])
            #expect(topics.map { $0["name"] as? String } == ["logs", "metrics"])
            #expect(topics.first?["createdAt"] as? String == "2026-05-09T06:13:20.123Z")
            #expect((topics.first?["configs"] as? [String: String])?["retention.ms"] == "3600000")
            let groups = try #require(root["groups"] as? [[String: Any]])
            let offsets = try #require(groups.first?["offsets"] as? [[String: Any]])
            #expect(offsets.count == 3)
            let first = try #require(offsets.first?["committed"] as? [String: Any])
            #expect(first["offset"] as? Int == 42 && first["leaderEpoch"] as? Int == 3)
            let connectors = try #require(root["connectors"] as? [[String: Any]])
            #expect(connectors.first?["name"] as? String == "archive")
        }
    }

    @Test func dumpReadsAFileABrokerHasOpenAndSeesItsLatestCommits() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("metadata.sqlite")
            try await withStore(at: url) { store in
                try await Fixture.populate(store)
                try await store.commitOffsets(group: "late", [TopicPartition("logs", 1): CommittedOffset(offset: 1234)])
                let fromFile = try SQLiteMetadataDump.snapshot(of: url)
                #expect(fromFile == (try await store.snapshot()))
                #expect(fromFile.groups.map(\.name) == ["late", "readers"])
                // The store keeps working after a dump read its file.
                try await store.commitOffsets(group: "late", [TopicPartition("logs", 1): CommittedOffset(offset: 1235)])
            }
        }
    }

    @Test func dumpOfAMissingFileFailsWithoutCreatingIt() async throws {
        try await withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("nothing-here.sqlite")
            let message = unusableMessage { _ = try SQLiteMetadataDump.dump(url) }
            #expect(message?.contains("\(url.path) does not exist") == true)
            #expect(!FileManager.default.fileExists(atPath: url.path))
        }
    }
}
