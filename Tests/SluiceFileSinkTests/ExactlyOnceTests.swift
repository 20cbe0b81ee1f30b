import Foundation
import NIOConcurrencyHelpers
import SluiceCompression
import SluiceKernel
import Testing
@testable import SluiceFileSink

@Suite("File sink writes every record once, in order")
struct ExactlyOnceTests {
    @Test(arguments: [FileSinkConfiguration.SinkFormat.value, .json])
    func hundredThousandRecordsAcrossPartitions(format: FileSinkConfiguration.SinkFormat) async throws {
        let harness = try await SinkHarness()
        try await harness.broker.createTopic("logs", partitions: 3)
        let partitions = (0..<3).map { TopicPartition("logs", Int32($0)) }
        let counts = [40_000, 35_000, 25_000]
        let sink = harness.start(harness.settings(["logs"]) { $0.format = format.rawValue })
        // Half before the sink starts, half while it runs.
        for (tp, count) in zip(partitions, counts) { try await harness.produce(tp, count: count / 2) }
        for (tp, count) in zip(partitions, counts) { try await harness.produce(tp, count: count - count / 2, from: count / 2) }
        for (tp, count) in zip(partitions, counts) { try await harness.waitForPosition([tp], Int64(count)) }
        try await sink.stop()

        for (tp, count) in zip(partitions, counts) {
            let lines = try harness.lines(tp)
            #expect(lines.count == count, "\(tp): \(lines.count) lines for \(count) records")
            switch format {
            case .value:
                #expect(lines == (0..<count).map { "record-\($0)" }, "\(tp) must hold each record once, in offset order")
            case .json:
                for (offset, line) in lines.enumerated() {
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    guard object["offset"] as? Int == offset, object["value"] as? String == "record-\(offset)",
                          object["key"] as? String == "k\(offset)", object["topic"] as? String == "logs",
                          object["partition"] as? Int == Int(tp.partition),
                          object["timestamp"] as? Int == 1_700_000_000_000 + offset else {
                        Issue.record("\(tp) line \(offset) is wrong: \(line)")
                        break
                    }
                }
            }
        }
    }

    @Test func rotationBySizeSplitsThePartitionIntoSortedFiles() async throws {
        let harness = try await SinkHarness()
        try await harness.broker.createTopic("rot")
        let tp = TopicPartition("rot", 0)
        try await harness.produce(tp, count: 20_000)
        let sink = harness.start(harness.settings(["rot"]) { $0.rotateBytes = 16 * 1024 })
        try await harness.waitForPosition([tp], 20_000)
        try await sink.stop()

        let files = harness.files(tp)
        #expect(files.count > 5, "16 KiB files of ~230 KiB must be several, got \(files)")
        #expect(files.first == "00000000000000000000.log")
        var expectedFirst = 0
        for name in files {
            let path = "\(harness.root)/rot/0/\(name)"
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(size <= 16 * 1024, "\(name) is \(size) bytes, over rotateBytes")
            // Each file is named after the offset of its first line.
            #expect(name == SinkDirectory.fileName(firstOffset: Int64(expectedFirst)))
            let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).split(separator: "\n")
            #expect(lines.first.map(String.init) == "record-\(expectedFirst)")
            expectedFirst += lines.count
        }
        #expect(try harness.lines(tp) == (0..<20_000).map { "record-\($0)" }, "the concatenation is the partition")
    }

    @Test func rotationByTimeStartsANewFileForTheNextRecord() async throws {
        let harness = try await SinkHarness()
        try await harness.broker.createTopic("aged")
        let tp = TopicPartition("aged", 0)
        let clock = ManualClock()
        var settings = harness.settings(["aged"]) { $0.rotateMinutes = 1 }
        settings.nowMs = { clock.now }
        let sink = harness.start(settings)
        try await harness.produce(tp, count: 10)
        try await harness.waitForPosition([tp], 10)
        clock.advance(by: 59_000)
        try await harness.produce(tp, count: 10, from: 10)
        try await harness.waitForPosition([tp], 20)
        clock.advance(by: 1_000)
        try await harness.produce(tp, count: 10, from: 20)
        try await harness.waitForPosition([tp], 30)
        try await sink.stop()
        #expect(harness.files(tp) == ["00000000000000000000.log", "00000000000000000020.log"])
        #expect(try harness.lines(tp) == (0..<30).map { "record-\($0)" })
    }

    @Test func followsNewPartitionsAndTopicsCreatedLater() async throws {
        let harness = try await SinkHarness()
        try await harness.broker.createTopic("grow", partitions: 1)
        let sink = harness.start(harness.settings(["grow", "later"]))
        try await harness.produce(TopicPartition("grow", 0), count: 100)
        try await harness.waitForPosition([TopicPartition("grow", 0)], 100)
        try await harness.broker.createPartitions("grow", total: 3)
        try await harness.broker.createTopic("later", partitions: 2)
        let added = [TopicPartition("grow", 1), TopicPartition("grow", 2), TopicPartition("later", 0), TopicPartition("later", 1)]
        for tp in added { try await harness.produce(tp, count: 50) }
        try await harness.waitForPosition(added, 50)
        try await sink.stop()
        for tp in added { #expect(try harness.lines(tp) == (0..<50).map { "record-\($0)" }) }
        #expect(harness.logText.contains("topic 'later' does not exist yet"))
    }

    @Test func startFromLatestSkipsOldRecordsAndRemembersWhereItStarted() async throws {
        let harness = try await SinkHarness()
        try await harness.broker.createTopic("tail")
        let tp = TopicPartition("tail", 0)
        try await harness.produce(tp, count: 100)
        let first = harness.start(harness.settings(["tail"]) { $0.startFrom = "latest" })
        try await harness.waitForPosition([tp], 100)
        try await first.stop()
        try await harness.produce(tp, count: 10, from: 100)
        let second = harness.start(harness.settings(["tail"]) { $0.startFrom = "latest" })
        try await harness.waitForPosition([tp], 110)
        try await second.stop()
        #expect(try harness.lines(tp) == (100..<110).map { "record-\($0)" })
        #expect(harness.files(tp) == ["00000000000000000100.log"])
    }
}

/// A wall clock tests move by hand, in milliseconds since the epoch.
final class ManualClock: Sendable {
    private let value = NIOLockedValueBox<Int64>(1_700_000_000_000)
    var now: Int64 { value.withLockedValue { $0 } }
    func advance(by milliseconds: Int64) { value.withLockedValue { $0 += milliseconds } }
}

@Suite("File sink and compressed batches")
struct CompressedBatchSinkTests {
    @Test func everyCodecIsSunkAndACorruptBatchStopsThePartitionAtItsOffset() async throws {
        let harness = try await SinkHarness()
        try await harness.broker.createTopic("zip")
        let tp = TopicPartition("zip", 0)
        try await harness.produce(tp, count: 10)
        var next = 10
        for codec in [RecordBatch.Compression.gzip, .snappy, .lz4, .zstd] {
            let records = (next..<next + 10).map { Record(value: Array("record-\($0)".utf8), timestamp: Int64($0)) }
            _ = try await harness.broker.append([try RecordBatchBuilder().build(records, compression: codec)], to: tp)
            next += 10
        }
        _ = try await harness.broker.append([try compressedBatch([Record(value: [1], timestamp: 1)], codec: .zstd) { _ in [0xDE, 0xAD, 0xBE, 0xEF] }], to: tp)
        try await harness.produce(tp, count: 5, from: 51)
        let sink = harness.start(harness.settings(["zip"]))
        try await harness.waitForPosition([tp], 50)
        let deadline = ContinuousClock.now + .seconds(60)
        while !harness.logText.contains("could not be decompressed") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await sink.stop()
        #expect(try harness.lines(tp) == (0..<50).map { "record-\($0)" })
        #expect(try await harness.position(tp)?.nextOffset == 50, "the partition waits at the corrupt batch; nothing after it is skipped")
        #expect(harness.logText.contains("zip-0 batch at offset 50 could not be decompressed: zstd"), "\(harness.logText)")
    }
}
