import Foundation
import NIOCore
@testable import SluiceKernel
import Testing

/// Topic configs parsed once into `TopicSettings`, and the broker reading the typed value
/// again after every alter.
@Suite struct TopicSettingsTests {
    @Test func parsesEveryFieldTheKernelUses() {
        let settings = TopicSettings([
            "max.message.bytes": "2000", "message.timestamp.type": "LogAppendTime", "min.insync.replicas": "2",
            "cleanup.policy": "compact,delete", "segment.bytes": "4096", "segment.ms": "60000",
            "retention.ms": "-1", "retention.bytes": "1048576", "preallocate": "true",
        ])
        #expect(settings.maxMessageBytes == 2000)
        #expect(settings.timestampType == .logAppendTime)
        #expect(settings.minInsyncReplicas == 2)
        #expect(settings.cleanupPolicy == [.compact, .delete])
        #expect(settings.segmentBytes == 4096 && settings.segmentMs == 60000)
        #expect(settings.retentionMs == -1 && settings.retentionBytes == 1_048_576)
        let retention = settings.retention(defaults: RetentionPolicy(retentionMs: 5, retentionBytes: 7))
        #expect(retention.retentionMs == nil && retention.retentionBytes == 1_048_576, "-1 is unlimited")
    }

    @Test func unsetConfigsAreKafkasDefaults() {
        let settings = TopicSettings([:])
        #expect(settings == TopicSettings())
        #expect(settings.maxMessageBytes == nil && settings.minInsyncReplicas == nil)
        #expect(settings.timestampType == .createTime && settings.cleanupPolicy == .delete)
        #expect(TopicSettings(["cleanup.policy": "compact"]).cleanupPolicy == .compact)
        #expect(settings.deleteRetentionMs == 86_400_000 && settings.minCompactionLagMs == 0)
        #expect(settings.maxCompactionLagMs == .max && settings.minCleanableDirtyRatio == 0.5)
    }

    @Test func parsesTheCompactionConfigs() {
        let settings = TopicSettings([
            "delete.retention.ms": "100", "min.compaction.lag.ms": "200", "max.compaction.lag.ms": "300",
            "min.cleanable.dirty.ratio": "0.25",
        ])
        #expect(settings.deleteRetentionMs == 100 && settings.minCompactionLagMs == 200)
        #expect(settings.maxCompactionLagMs == 300 && settings.minCleanableDirtyRatio == 0.25)
    }

    /// An alter changes what the next produce reads: the typed value follows the record.
    @Test func produceReadsTheSettingsOfTheLatestAlter() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("t", configs: ["max.message.bytes": "100"])
        let bytes = batchBytes([String(repeating: "x", count: 200)])
        await #expect(throws: BrokerError.messageTooLarge(size: bytes.readableBytes, limit: 100)) {
            try await broker.produce(to: TopicPartition("t", 0), bytes: bytes)
        }
        try await broker.alterTopicConfigs("t", set: ["max.message.bytes": "100000"])
        _ = try await broker.produce(to: TopicPartition("t", 0), bytes: bytes)
        try await broker.alterTopicConfigs("t", set: ["max.message.bytes": nil])
        _ = try await broker.produce(to: TopicPartition("t", 0), bytes: bytes)
        #expect(try await broker.listOffset(TopicPartition("t", 0), .latest).offset == 2)
    }

    @Test func logAppendTimeStampsTheBatch() async throws {
        let broker = try await makeBroker(clock: { Date(timeIntervalSince1970: 1_234_567) })
        try await broker.createTopic("stamped", configs: ["message.timestamp.type": "LogAppendTime"])
        _ = try await broker.produce(to: TopicPartition("stamped", 0), bytes: batchBytes(["a"], timestamp: 1000))
        let read = await broker.fetch(.init(partitions: [.init(TopicPartition("stamped", 0), offset: 0, maxBytes: 1 << 20)],
                                                maxWait: .zero, minBytes: 0, maxBytes: 1 << 20))
        guard case .bytes(let buffer)? = try read.first?.result.get().payload else {
            Issue.record("expected bytes")
            return
        }
        let batch = try #require(try RecordBatch.parse(buffer).first)
        #expect(batch.maxTimestamp == 1_234_567_000 && batch.timestampType == RecordBatch.TimestampType.logAppendTime)
    }
}
