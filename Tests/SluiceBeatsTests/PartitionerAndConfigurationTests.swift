import Foundation
import NIOCore
import SluiceKernel
import SluiceTLS
import Testing
@testable import SluiceBeats

@Suite struct PartitionerTests {
    /// Values from Kafka's own `Utils.murmur2` (checked against kafka-python's port).
    @Test(arguments: [
        ("21", Int32(-973_932_308)),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
    ])
    func murmur2MatchesKafka(key: String, expected: Int32) {
        #expect(Int32(bitPattern: KeyPartitioner.murmur2(Array(key.utf8))) == expected)
    }

    @Test func keyedPartitionsAreStableAndInRange() {
        for key in ["web-1", "web-2", "", "a"] {
            let partition = Partitioner.partition(forKey: Array(key.utf8), partitions: 7)
            #expect((0..<7).contains(partition))
            #expect(partition == Partitioner.partition(forKey: Array(key.utf8), partitions: 7))
        }
    }

    @Test func unkeyedChunksRotateOverPartitions() {
        var partitioner = Partitioner(seed: 0)
        var seen: [Int32] = []
        for _ in 0..<6 {
            seen.append(partitioner.sticky(partitions: 3))
            partitioner.advance()
        }
        #expect(seen == [0, 1, 2, 0, 1, 2])
    }
}

@Suite struct BeatsConfigurationTests {
    typealias Configuration = BeatsInputFactory.Configuration

    @Test func emptyConfigTakesTheDocumentedDefaults() {
        let (config, problems) = ConfigDecoding.decode(Configuration.self, from: .object([:]))
        #expect(problems.isEmpty)
        #expect(config?.listen == HostPort(host: "127.0.0.1", port: 5044))
        #expect(config?.topic == "logs")
        #expect(config?.limits == LumberjackLimits())
        #expect(config?.portFile == nil)
        #expect(Configuration.keys.count == 14)
        #expect(config?.clientAuth == TLSSettings.ClientAuth.none && config?.caPath == nil && config?.tls == nil)
    }

    @Test func anEmptyPortFileIsRefused() {
        let (_, problems) = ConfigDecoding.decode(Configuration.self, from: .object(["portFile": .string("")]))
        #expect(problems.map(\.keyPath) == ["portFile"], "\(problems)")
    }

    @Test func everyProblemIsNamedWithItsKey() {
        let json = try! JSONValue.parse(Data(#"""
        {"listen": "localhost", "topic": "bad topic", "keyField": "a..b", "maxWindowSize": 0, "maxEventBytes": 10,
         "idleTimeoutMs": 5, "keepaliveMs": 60000, "keyPath": "/nonexistent.pem", "topcField": "x"}
        """#.utf8))
        let (config, problems) = ConfigDecoding.decode(Configuration.self, from: json)
        #expect(config == nil)
        let text = problems.map(\.description).joined(separator: "\n")
        #expect(text.contains("listen"), "\(text)")
        let (_, rangeProblems) = ConfigDecoding.decode(Configuration.self, from: try! JSONValue.parse(Data(#"""
        {"topic": "bad topic", "keyField": "a..b", "maxWindowSize": 0, "maxEventBytes": 10, "idleTimeoutMs": 5,
         "keepaliveMs": 60000, "keyPath": "/nonexistent.pem", "topcField": "x"}
        """#.utf8)))
        let keys = Set(rangeProblems.map(\.keyPath))
        #expect(keys == ["topic", "keyField", "maxWindowSize", "maxEventBytes", "idleTimeoutMs", "keepaliveMs", "certificatePath", "topcField"],
                "\(rangeProblems)")
        #expect(rangeProblems.contains { $0.message.contains("did you mean 'topicField'?") })
    }
}
