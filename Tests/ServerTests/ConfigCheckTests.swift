import Foundation
import Testing

@Suite("sluice config check")
struct ConfigCheckTests {
    @Test func typoUnknownPluginAndBadPortAreAllReported() async throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("bad.json", """
            {
              "broker": { "dataDir": "data", "autoCreateTopcs": true },
              "storage": { "plugin": "memory", "config": {} },
              "metadata": { "plugin": "no-such-store", "config": {} },
              "protocols": [ { "plugin": "memory-probe", "config": {} },
                             { "plugin": "kafka", "config": { "listen": "127.0.0.1:70000" } } ],
              "connectors": []
            }
            """)
        let result = try await SluiceBinary.run(["config", "check", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("broker: autoCreateTopcs: unknown key 'autoCreateTopcs'; did you mean 'autoCreateTopics'?"), "\(result.stderr)")
        #expect(result.stderr.contains("metadata: plugin: unknown metadata plugin 'no-such-store'; known: sqlite, memory, zookeeper"), "\(result.stderr)")
        #expect(result.stderr.contains("protocols[0] (memory-probe): plugin: unknown protocol plugin 'memory-probe'; known: kafka, http"), "\(result.stderr)")
        #expect(result.stderr.contains("protocols[1] (kafka): config.listen: \"127.0.0.1:70000\": port 70000 is out of range; use 1–65535 (or 0 for any free port)"),
                "\(result.stderr)")
        #expect(result.stderr.contains("4 problems"), "\(result.stderr)")
    }

    @Test func zookeeperConfigProblemsAreReportedBeforeConnecting() async throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("zk.json", """
            { "storage": { "plugin": "memory" },
              "metadata": { "plugin": "zookeeper", "config": { "connect": "zk1:2181,zk2/sluice", "sesionTimeoutMs": 5000 } } }
            """)
        let result = try await SluiceBinary.run(["config", "check", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("metadata: config.connect: 'zk2' is not host:port"), "\(result.stderr)")
        #expect(result.stderr.contains("unknown key 'sesionTimeoutMs'; did you mean 'sessionTimeoutMs'?"), "\(result.stderr)")
    }

    @Test func typeErrorsNameThePathAndWhatWasFound() async throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("types.json", """
            { "broker": { "defaultPartitions": "three", "logLevel": "loud" },
              "storage": { "plugin": "memory", "config": { "segmentBytes": 10, "retentionHours": true } },
              "metadata": { "plugin": "memory" } }
            """)
        let result = try await SluiceBinary.run(["config", "check", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("broker: defaultPartitions: expected a whole number, got a string (\"three\")"), "\(result.stderr)")
        #expect(result.stderr.contains("storage: config.retentionHours: expected a whole number, got true"), "\(result.stderr)")
    }

    @Test func rangeErrorsComeFromValidate() async throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("ranges.json", """
            { "broker": { "defaultPartitions": 0, "logLevel": "loud" },
              "storage": { "plugin": "memory", "config": { "segmentBytes": 10 } },
              "metadata": { "plugin": "memory" } }
            """)
        let result = try await SluiceBinary.run(["config", "check", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("3 problems"), "\(result.stderr)")
        #expect(result.stderr.contains("broker: defaultPartitions: must be between 1 and 100000, got 0"), "\(result.stderr)")
        #expect(result.stderr.contains("broker: logLevel: unknown level 'loud'"), "\(result.stderr)")
        #expect(result.stderr.contains("storage: config.segmentBytes: must be at least 1024 bytes, got 10"), "\(result.stderr)")
    }

    @Test func invalidJSONAndMissingFileAreClear() async throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("broken.json", "{ \"broker\": ")
        let broken = try await SluiceBinary.run(["config", "check", file.path])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("not valid JSON"), "\(broken.stderr)")
        let missing = try await SluiceBinary.run(["config", "check", dir.url.appendingPathComponent("nope.json").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read the file"), "\(missing.stderr)")
    }

    @Test func embeddedDefaultIsValidAndIdenticalToPluginsJSON() async throws {
        let result = try await SluiceBinary.run(["config", "check"])
        #expect(result.status == 0, "\(result.stderr)")
        let shown = try await SluiceBinary.run(["config", "show"])
        let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let onDisk = try String(contentsOf: repoRoot.appendingPathComponent("plugins.json"), encoding: .utf8)
        #expect(shown.stdout == onDisk, "plugins.json and the embedded default must not drift apart")
    }

    @Test func serveRefusesToStartOnABadConfig() async throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("bad.json", #"{ "storage": { "plugin": "nope" }, "metadata": { "plugin": "memory" } }"#)
        let result = try await SluiceBinary.run(["serve", "--config", file.path], in: dir.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("refusing to start"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("data").path), "nothing is created before the config is valid")
    }

    @Test func pluginsListsKeysAndDefaults() async throws {
        let result = try await SluiceBinary.run(["plugins"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("segmentBytes (bytes, default 1048576)"), "\(result.stdout)")
        #expect(result.stdout.contains("autoCreateTopics (boolean, default true)"), "\(result.stdout)")
    }

    /// The JSON listing is what scripts and the interop tests read, so they never parse
    /// the text layout.
    @Test func pluginsAsJSONNamesEveryPluginWithItsKindAndKeys() async throws {
        let result = try await SluiceBinary.run(["plugins", "--output", "json"])
        #expect(result.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let plugins = try #require(root["plugins"] as? [[String: Any]])
        let kinds = Dictionary(plugins.map { ($0["name"] as? String ?? "?", $0["kind"] as? String ?? "?") }) { a, _ in a }
        #expect(kinds["segment-log"] == "storage" && kinds["sqlite"] == "metadata" && kinds["kafka"] == "protocol", "\(kinds)")
        #expect(kinds["file-sink"] == "sink" && kinds["beats-input"] == "source", "\(kinds)")
        let segmentLog = try #require(plugins.first { $0["name"] as? String == "segment-log" })
        let keys = try #require(segmentLog["keys"] as? [[String: String]])
        #expect(keys.contains { $0["key"] == "segmentBytes" && $0["type"] == "bytes" && $0["default"] == "1073741824" }, "\(keys)")
        let broker = try #require((root["broker"] as? [String: Any])?["keys"] as? [[String: String]])
        #expect(broker.contains { $0["key"] == "autoCreateTopics" && $0["default"] == "true" }, "\(broker)")
    }
}
