import Foundation
import NIOCore
import SluiceKernel
import Testing
@testable import SluiceBeats

/// The server over real sockets with a hand-written client: windows as Filebeat,
/// pylogbeat and Logstash send them.
@Suite(.timeLimit(.minutes(2))) struct BeatsServerTests {
    let encoder = LumberjackEncoder()

    @Test func jsonEventsAreStoredAsSentWithTheirTimestamps() async throws {
        try await withBeatsInput { server in
            let client = try await server.connect()
            let events = (0..<3).map { sampleEvent($0) } + [ByteBuffer(string: #"{"message":"no time"}"#)]
            let before = Int64(Date().timeIntervalSince1970 * 1000)
            try await client.send(buffer { encoder.window(events: events, compressionLevel: nil, into: &$0) })
            try await client.awaitAck(4)
            let records = try await server.records()
            #expect(records.map { ByteBuffer(bytes: $0.value!) } == events)
            #expect(records.prefix(3).allSatisfy { $0.timestamp == 1_714_566_896_789 })
            #expect(records[3].timestamp >= before)
            #expect(records.allSatisfy { $0.key == nil })
        }
    }

    @Test func compressedWindowsAreInflatedAndAcked() async throws {
        try await withBeatsInput { server in
            let client = try await server.connect()
            let events = (0..<2000).map { sampleEvent($0, size: 600) }
            try await client.send(buffer { encoder.window(events: events, compressionLevel: 6, into: &$0) })
            try await client.awaitAck(2000)
            #expect(try await server.records().map { ByteBuffer(bytes: $0.value!) } == events)
        }
    }

    @Test func v1FramesAreStoredAsJSONObjectsAndAckedInVersionOne() async throws {
        try await withBeatsInput { server in
            let client = try await server.connect()
            try await client.send(buffer { out in
                encoder.window(2, version: Lumberjack.version1, into: &out)
                encoder.data(sequence: 1, [("line", "first"), ("host", "h1")], into: &out)
                encoder.data(sequence: 2, [("line", "tab\there"), ("@timestamp", "2024-05-01T12:34:56.789Z")], into: &out)
            })
            #expect(try await client.readAck() == .window(version: Lumberjack.version1, sequence: 2))
            let records = try await server.records()
            #expect(records.map(\.valueString) == [#"{"line":"first","host":"h1"}"#,
                                                    #"{"line":"tab\there","@timestamp":"2024-05-01T12:34:56.789Z"}"#])
            #expect(records[1].timestamp == 1_714_566_896_789)
        }
    }

    @Test func windowsOfOneAreEachAcked() async throws {
        try await withBeatsInput { server in
            let client = try await server.connect()
            for sequence in 1...50 as ClosedRange<UInt32> {
                try await client.send(buffer { encoder.window(events: [sampleEvent(Int(sequence))], firstSequence: sequence, into: &$0) })
                #expect(try await client.readAck() == .window(version: Lumberjack.version2, sequence: sequence))
            }
            #expect(try await server.records().count == 50)
        }
    }

    @Test func pipelinedWindowsAreAckedInOrder() async throws {
        try await withBeatsInput { server in
            let client = try await server.connect()
            // pylogbeat-style sequences that continue across windows, all sent before any ack is read.
            var all = ByteBuffer()
            var next: UInt32 = 1
            for window in 0..<20 {
                let events = (0..<(window % 4 + 1) * 100).map { sampleEvent(Int(next) + $0) }
                encoder.window(events: events, firstSequence: next, compressionLevel: window % 2 == 0 ? 3 : nil, into: &all)
                next += UInt32(events.count)
            }
            try await client.send(all)
            var acks: [UInt32] = []
            while acks.last != next - 1, let ack = try await client.readAck() {
                if case .window(_, let sequence) = ack { acks.append(sequence) }
            }
            let expected = (0..<20).reduce(into: [UInt32]()) { result, window in
                result.append((result.last ?? 0) + UInt32((window % 4 + 1) * 100))
            }
            #expect(acks == expected)
            let records = try await server.records()
            #expect(records.count == Int(next - 1))
            #expect(records.map(\.offset) == Array(0..<Int64(records.count)))
        }
    }

    @Test func aWindowLargerThanAChunkIsAckedOnceAfterAllOfIt() async throws {
        let broker = try await makeBroker { $0.messageMaxBytes = 64 * 1024 }
        try await withBeatsInput(broker: broker) { server in
            let client = try await server.connect()
            let events = (0..<3000).map { sampleEvent($0, size: 1024) }
            try await client.send(buffer { encoder.window(events: events, compressionLevel: 1, into: &$0) })
            #expect(try await client.readAck() == .window(version: Lumberjack.version2, sequence: 3000))
            let records = try await server.records()
            #expect(records.count == 3000)
            let batches = try await batchCount(broker, TopicPartition("logs", 0))
            #expect(batches >= 3000 * 1024 / (64 * 1024) && batches < 100, "\(batches) batches")
        }
    }

    @Test func aHalfClosedClientStillGetsItsAck() async throws {
        try await withBeatsInput { server in
            let client = try await server.connect()
            try await client.send(buffer { encoder.window(events: (0..<10).map { sampleEvent($0) }, into: &$0) })
            client.shutdownWrite()
            try await client.awaitAck(10)
            #expect(try await client.readAck() == nil)
        }
    }
}

func batchCount(_ broker: Broker, _ tp: TopicPartition) async throws -> Int {
    let results = await broker.fetch(FetchRequest(partitions: [.init(tp, offset: 0, maxBytes: 64 << 20)],
                                                  maxWait: .zero, minBytes: 1, maxBytes: 64 << 20))
    return try RecordBatch.parse(try results[0].result.get().payload.load()).count
}
