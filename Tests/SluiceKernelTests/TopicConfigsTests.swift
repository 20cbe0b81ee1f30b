import Foundation
import SluiceKernel
import SluiceMemory
import Testing

/// The topic-config catalogue against Kafka 3.9's: every name accepted with a valid value,
/// bad values and unknown names refused with messages that name config, value and rule.
@Suite("Topic configs")
struct TopicConfigsTests {
    /// Kafka 3.9's topic configs (TopicConfig/LogConfig), each with a valid non-default value.
    static let kafka39: [String: String] = [
        "cleanup.policy": "compact,delete",
        "compression.gzip.level": "5",
        "compression.lz4.level": "12",
        "compression.type": "zstd",
        "compression.zstd.level": "-5",
        "delete.retention.ms": "3600000",
        "file.delete.delay.ms": "0",
        "flush.messages": "1000",
        "flush.ms": "5000",
        "follower.replication.throttled.replicas": "0:1,1:2",
        "index.interval.bytes": "8192",
        "leader.replication.throttled.replicas": "*",
        "local.retention.bytes": "-2",
        "local.retention.ms": "3600000",
        "max.compaction.lag.ms": "86400000",
        "max.message.bytes": "2000000",
        "message.downconversion.enable": "false",
        "message.format.version": "2.8-IV1",
        "message.timestamp.after.max.ms": "3600000",
        "message.timestamp.before.max.ms": "86400000",
        "message.timestamp.difference.max.ms": "86400000",
        "message.timestamp.type": "LogAppendTime",
        "min.cleanable.dirty.ratio": "0.1",
        "min.compaction.lag.ms": "1000",
        "min.insync.replicas": "2",
        "preallocate": "TRUE",
        "remote.log.copy.disable": "true",
        "remote.log.delete.on.disable": "true",
        "remote.storage.enable": "false",
        "retention.bytes": "-1",
        "retention.ms": "-1",
        "segment.bytes": "14",
        "segment.index.bytes": "4096",
        "segment.jitter.ms": "100",
        "segment.ms": "1",
        "unclean.leader.election.enable": "true",
    ]

    @Test func theCatalogueIsKafka39s() {
        #expect(Set(TopicConfigs.known.map(\.name)) == Set(Self.kafka39.keys))
        #expect(TopicConfigs.known.map(\.name) == TopicConfigs.known.map(\.name).sorted(), "one table, sorted by name")
        let types = Dictionary(uniqueKeysWithValues: TopicConfigs.known.map { ($0.name, $0.type) })
        #expect(types["cleanup.policy"] == .list && types["min.cleanable.dirty.ratio"] == .double)
        #expect(types["segment.bytes"] == .int && types["delete.retention.ms"] == .long && types["preallocate"] == .boolean)
        let defaults = Dictionary(uniqueKeysWithValues: TopicConfigs.known.map { ($0.name, $0.kafkaDefault) })
        #expect(defaults["delete.retention.ms"] == "86400000" && defaults["min.cleanable.dirty.ratio"] == "0.5")
        #expect(defaults["message.timestamp.after.max.ms"] == "9223372036854775807" && defaults["message.format.version"] == "3.0-IV1")
        #expect(defaults["message.downconversion.enable"] == "true" && defaults["local.retention.ms"] == "-2")
        for key in TopicConfigs.known {
            #expect(TopicConfigs.validate([key.name: key.kafkaDefault]).isEmpty, "\(key.name)'s own default must validate")
        }
    }

    @Test func everyNameIsAcceptedWithAValidValue() {
        for (name, value) in Self.kafka39 {
            #expect(TopicConfigs.validate([name: value]) == [], "\(name)=\(value)")
            #expect(TopicConfigs.validate([name: nil]) == [], "removing \(name)'s override")
        }
        #expect(TopicConfigs.validate(Self.kafka39) == [])
    }

    @Test(arguments: [
        ("retention.ms", "soon", "retention.ms: expected a whole number (Kafka type long), got 'soon'"),
        ("retention.ms", "-2", "retention.ms: must be at least -1, got -2"),
        ("delete.retention.ms", "-1", "delete.retention.ms: must be at least 0, got -1"),
        ("segment.bytes", "13", "segment.bytes: must be at least 14, got 13"),
        ("segment.bytes", "3000000000", "segment.bytes: expected a whole number from -2147483648 to 2147483647 (Kafka type int), got '3000000000'"),
        ("segment.ms", "0", "segment.ms: must be at least 1, got 0"),
        ("min.cleanable.dirty.ratio", "1.5", "min.cleanable.dirty.ratio: must be between 0.0 and 1.0, got 1.5"),
        ("min.cleanable.dirty.ratio", "half", "min.cleanable.dirty.ratio: expected a number (Kafka type double), got 'half'"),
        ("cleanup.policy", "compact,remove", "cleanup.policy: each item must be one of compact, delete, got 'remove' in 'compact,remove'"),
        ("compression.type", "brotli", "compression.type: must be one of uncompressed, zstd, lz4, snappy, gzip, producer, got 'brotli'"),
        ("compression.gzip.level", "0", "compression.gzip.level: must be -1 (the library default) or between 1 and 9, got 0"),
        ("compression.zstd.level", "23", "compression.zstd.level: must be between -131072 and 22, got 23"),
        ("preallocate", "yes", "preallocate: expected true or false, got 'yes'"),
        ("message.timestamp.type", "createtime", "message.timestamp.type: must be one of CreateTime, LogAppendTime, got 'createtime'"),
        ("leader.replication.throttled.replicas", "0:1,*", "leader.replication.throttled.replicas: expected '*' or items partition:broker (such as 0:1,1:2), got '*' in '0:1,*'"),
        ("message.format.version", "4.7", "message.format.version: expected a Kafka release such as 2.8, 3.0-IV1 or 0.10.2, got '4.7'"),
        ("min.insync.replicas", "0", "min.insync.replicas: must be at least 1, got 0"),
        ("remote.storage.enable", "true", "remote.storage.enable: only false is accepted: Sluice has no tiered storage (Kafka refuses it too when the broker has none); got 'true'"),
    ])
    func badValuesAreRefusedClearly(name: String, value: String, message: String) {
        #expect(TopicConfigs.validate([name: value]) == [message])
    }

    @Test func unknownNamesAreRefusedWithAHint() throws {
        let problems = TopicConfigs.validate(["retention.msx": "1000"])
        let message = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(message.hasPrefix("unknown topic config 'retention.msx' (did you mean 'retention.ms'?); known: cleanup.policy, "))
        #expect(message.contains("unclean.leader.election.enable"))
        #expect(TopicConfigs.validate(["zz.nothing.like.it": nil]).first?.hasPrefix("unknown topic config 'zz.nothing.like.it'; known:") == true)
    }

    @Test func brokerCreatesAlterAndChecksCombinations() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("connect-configs", configs: ["cleanup.policy": "compact", "delete.retention.ms": "86400000",
                                                                "min.cleanable.dirty.ratio": " 0.01 ", "preallocate": "true"])
        #expect(await broker.topic(named: "connect-configs")?.configs["min.cleanable.dirty.ratio"] == "0.01", "stored without blanks")
        await #expect(throws: BrokerError.invalidConfig("min.compaction.lag.ms (5000) must not exceed max.compaction.lag.ms (1000)")) {
            try await broker.alterTopicConfigs("connect-configs", set: ["min.compaction.lag.ms": "5000", "max.compaction.lag.ms": "1000"])
        }
        try await broker.alterTopicConfigs("connect-configs", set: ["max.compaction.lag.ms": "10000"])
        await #expect(throws: BrokerError.self) {
            try await broker.alterTopicConfigs("connect-configs", set: ["min.compaction.lag.ms": "20000"])
        }
        await #expect(throws: BrokerError.self) { try await broker.createTopic("typo", configs: ["retention.msx": "1"]) }
        #expect(await broker.topic(named: "typo") == nil)
        // List operations start from the current value, else the default.
        #expect(try await broker.resolveListChange(topic: "connect-configs", config: "cleanup.policy", append: ["delete", "compact"]) == "compact,delete")
        #expect(try await broker.resolveListChange(topic: "connect-configs", config: "leader.replication.throttled.replicas", append: ["0:1"]) == "0:1")
        await #expect(throws: BrokerError.self) {
            try await broker.resolveListChange(topic: "connect-configs", config: "retention.ms", append: ["1"])
        }
    }

    @Test func defaultsComeFromSluiceConfigurationOrKafka() async throws {
        let storage = MemoryLogStorage(defaultLogConfig: PartitionLogConfig(segmentBytes: 4096))
        let broker = try await makeBroker({ $0.messageMaxBytes = 5000 }, storage: storage)
        let defaults = broker.topicConfigDefaults
        #expect(Set(defaults.keys) == Set(Self.kafka39.keys))
        #expect(defaults["segment.bytes"] == .init(value: "4096", configured: true))
        #expect(defaults["max.message.bytes"] == .init(value: "5000", configured: true))
        #expect(defaults["delete.retention.ms"] == .init(value: "86400000", configured: false))
    }

    @Test func compactOnlyTopicsAreNeverTrimmed() {
        let defaults = RetentionPolicy(retentionMs: 1000, retentionBytes: 10)
        #expect(TopicConfigs.retention(["cleanup.policy": "compact", "retention.ms": "5"], defaults: defaults) == RetentionPolicy())
        #expect(TopicConfigs.retention(["cleanup.policy": "compact,delete", "retention.ms": "5"], defaults: defaults)
                == RetentionPolicy(retentionMs: 5, retentionBytes: 10))
        #expect(TopicConfigs.retention([:], defaults: defaults) == defaults)
    }
}

@Suite("Topic configs documentation")
struct TopicConfigsDocumentationTests {
    @Test func theProtocolGuideSaysWhatEveryConfigDoes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let guide = try String(contentsOf: root.appendingPathComponent("docs/kafka-protocol.md"), encoding: .utf8)
        let section = try #require(guide.range(of: "## Topic configs")).upperBound
        let table = String(guide[section...]).components(separatedBy: "\n## ").first ?? ""
        for key in TopicConfigs.known {
            #expect(table.contains("`\(key.name)`"), "docs/kafka-protocol.md's topic-config table must name \(key.name)")
        }
    }
}
