import Foundation
@testable import KafkaWire
import Logging
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import SluiceMemory
import SluiceSegmentLog
import Testing

/// The produce path runs off the broker actor: produces to different partitions meet
/// only at their own partitions, and validation still refuses what it refused before.
/// Real server, real segment-log storage, real client connections; no timing asserts.
@Suite struct ParallelProduceTests {
    @Test func aPartitionWhoseAppendIsHeldDoesNotHoldAnother() async throws {
        let directory = Self.scratch("held")
        defer { try? FileManager.default.removeItem(at: directory) }
        let gate = AppendGate()
        let held = TopicPartition("parallel", 0)
        let storage = GatedStorage(inner: try Self.segmentLog(directory), gated: held, gate: gate)
        try await withServer(storage: storage) { server in
            let admin = try await server.client(id: "admin")
            try await admin.createTopic("parallel", partitions: 2)
            let blocked = try await server.client(id: "blocked")
            let first = Task { try await blocked.produce(topic: "parallel", partition: 0, records: sampleRecords(3), acks: 1) }
            defer { Task { await gate.open() } }
            #expect(await eventually { await gate.waiting == 1 }, "the append to partition 0 reached storage")
            // Partition 0's append is parked inside storage; partition 1 is appended and read back.
            #expect(try await admin.produce(topic: "parallel", partition: 1, records: sampleRecords(2, prefix: "p1-"), acks: 1) == 0)
            #expect(try await admin.produce(topic: "parallel", partition: 1, records: sampleRecords(2, prefix: "p1-"), acks: -1) == 2)
            let fetched = try await admin.fetch(topic: "parallel", partition: 1, offset: 0)
            #expect(try fetched.records().map { String(decoding: $0.value!, as: UTF8.self) } == ["p1-0", "p1-1", "p1-0", "p1-1"])
            #expect(await gate.waiting == 1, "partition 0 is still held")
            await gate.open()
            #expect(try await first.value == 0)
            #expect(try await admin.fetch(topic: "parallel", partition: 0, offset: 0).records().count == 3)
            await blocked.close()
            await admin.close()
        }
    }

    @Test func produceCompletesWhileTheBrokerActorIsBusy() async throws {
        let directory = Self.scratch("busy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = BlockingClock()
        let server = try await TestServer.start(storage: try Self.segmentLog(directory), clock: { clock.now() })
        defer { clock.release() }
        do {
            let client = try await server.client()
            try await client.createTopic("busy", partitions: 2)
            // createTopic reads the broker's clock inside the actor: the armed clock holds the
            // actor (and one thread) there until released.
            clock.arm()
            let creation = Task { try await server.broker.createTopic("other") }
            #expect(await eventually { clock.isHolding }, "the broker actor is held in its clock")
            // Nothing of a produce waits for the broker actor any more.
            let produced = try await client.produce(topic: "busy", partition: 1, records: sampleRecords(4), acks: 1)
            #expect(produced == 0)
            #expect(clock.isHolding, "the actor was held throughout the produce")
            clock.release()
            _ = try await creation.value
            await client.close()
        } catch {
            clock.release()
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func invalidBatchesAreRefusedPerPartitionWithTheirErrors() async throws {
        let directory = Self.scratch("invalid")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withServer(storage: try Self.segmentLog(directory)) { server in
            let client = try await server.client()
            try await client.createTopic("checked", partitions: 5, configs: ["max.message.bytes": "2000"])
            let valid = RecordBatchBuilder().build(sampleRecords(3)).buffer
            var badCRC = RecordBatchBuilder().build(sampleRecords(2)).buffer
            badCRC.setInteger(badCRC.getInteger(at: badCRC.writerIndex - 1, as: UInt8.self)! ^ 0xff, at: badCRC.writerIndex - 1)
            let oversized = RecordBatchBuilder().build([Record(value: [UInt8](repeating: 7, count: 5000), timestamp: 0)]).buffer
            let truncated = valid.getSlice(at: valid.readerIndex, length: valid.readableBytes - 5)!
            var oldMagic = RecordBatchBuilder().build(sampleRecords(1)).buffer
            oldMagic.setInteger(Int8(1), at: oldMagic.readerIndex + 16)
            let parts: [(Int32, ByteBuffer)] = [(0, valid), (1, badCRC), (2, oversized), (3, truncated), (4, oldMagic), (9, valid)]
            var topic = ProduceRequest.Topic()
            topic.name = "checked"
            topic.partitionData = parts.map { index, bytes in
                var data = ProduceRequest.Partition()
                data.index = index
                data.records = .bytes(bytes)
                return data
            }
            var request = ProduceRequest()
            request.acks = 1
            request.timeoutMs = 30_000
            request.topicData = [topic]
            let response = try await client.send(request)
            let answers = Dictionary(uniqueKeysWithValues: (response.responses.first?.partitionResponses ?? []).map { ($0.index, $0) })
            #expect(answers[0]?.errorCode == 0 && answers[0]?.baseOffset == 0)
            #expect(answers[1]?.errorCode == KafkaErrorCode.corruptMessage.rawValue)
            #expect(answers[1]?.errorMessage?.contains("CRC") == true)
            #expect(answers[2]?.errorCode == KafkaErrorCode.messageTooLarge.rawValue)
            #expect(answers[3]?.errorCode == KafkaErrorCode.corruptMessage.rawValue)
            #expect(answers[4]?.errorCode == KafkaErrorCode.unsupportedForMessageFormat.rawValue)
            #expect(answers[9]?.errorCode == KafkaErrorCode.unknownTopicOrPartition.rawValue)
            for index in [Int32](1...4) where answers[index]?.errorCode != 0 {
                #expect(answers[index]?.baseOffset == -1)
                #expect(try await client.listOffset(topic: "checked", partition: index, .latest).offset == 0, "partition \(index)")
            }
            #expect(try await client.listOffset(topic: "checked", partition: 0, .latest).offset == 3)
            await client.close()
        }
    }

    static func scratch(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sluice-parallel-\(name)-\(UUID().uuidString)")
    }

    static func segmentLog(_ directory: URL) throws -> SegmentLogStorage {
        try SegmentLogStorage(configuration: SegmentLogStorageFactory.Configuration(), directory: directory, logger: Logger(label: "test"))
    }
}
