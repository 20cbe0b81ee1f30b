import Foundation
import NIOCore
import SluiceKernel
import Testing
@testable import SluiceBeats

/// What happens when storage is slow, stuck or failing, and at shutdown.
@Suite(.timeLimit(.minutes(2))) struct BeatsFlowControlTests {
    let encoder = LumberjackEncoder()

    @Test func keepalivesFlowWhileAWindowIsWrittenAndTheAckFollows() async throws {
        let storage = GatedStorage()
        await storage.gate.setDelay(.milliseconds(1200))
        try await withBeatsInput(broker: try await makeBroker(storage: storage), { $0.keepaliveMs = 200 }) { server in
            let client = try await server.connect()
            try await client.send(buffer { encoder.window(events: (0..<10).map { sampleEvent($0) }, into: &$0) })
            let keepalives = try await client.awaitAck(10)
            #expect(keepalives >= 3, "\(keepalives) keepalives in 1.2 s at a 200 ms interval")
        }
    }

    @Test func noAckUntilStorageHasTheEvents() async throws {
        let storage = GatedStorage()
        await storage.gate.close()
        try await withBeatsInput(broker: try await makeBroker(storage: storage)) { server in
            let client = try await server.connect(timeoutMs: 600)
            try await client.send(buffer { encoder.window(events: [sampleEvent(1)], into: &$0) })
            await #expect(throws: LumberjackClientError.self) { try await client.readAck() }  // times out: nothing acked
            await storage.gate.openGate()
            let again = try await server.connect()
            try await again.send(buffer { encoder.window(events: [sampleEvent(2)], into: &$0) })
            try await again.awaitAck(1)
        }
    }

    @Test func aStuckStorageStopsReadingFromTheSocket() async throws {
        let storage = GatedStorage()
        await storage.gate.close()
        let broker = try await makeBroker(storage: storage) { $0.messageMaxBytes = 256 * 1024 }
        try await withBeatsInput(broker: broker) { server in
            let windows = 400  // 400 × 128 KiB = 50 MiB, far beyond what the server may buffer
            let window = buffer { encoder.window(events: (0..<128).map { sampleEvent($0, size: 1024) }, compressionLevel: nil, into: &$0) }
            let sent = Shared(0)
            let port = server.port
            let sender = Task {
                try await BeatsBenchmark.onThread {
                    let client = try LumberjackSocketClient(port: port, timeoutMs: 30_000)
                    for _ in 0..<windows {
                        try client.send(window)
                        sent.update { $0 += 1 }
                    }
                    for _ in 0..<windows { try client.awaitAck(128) }
                }
            }
            try await Task.sleep(for: .seconds(2))
            let sentWhileStuck = sent.value
            // Socket buffers plus at most 8 buffered chunks of 256 KiB: a few MiB, not 50.
            #expect(sentWhileStuck * window.readableBytes < 24 << 20, "\(sentWhileStuck) windows went out while storage was stuck")
            #expect(await storage.gate.started <= 2)
            await storage.gate.openGate()
            try await sender.value
            #expect(try await server.records().count == windows * 128)
        }
    }

    @Test func aFailingAppendClosesTheConnectionWithoutAnAck() async throws {
        let storage = GatedStorage()
        try await withBeatsInput(broker: try await makeBroker(storage: storage)) { server in
            let client = try await server.connect()
            try await client.send(buffer { encoder.window(events: [sampleEvent(1)], into: &$0) })
            try await client.awaitAck(1)
            await storage.gate.setFailing(true)
            try await client.send(buffer { encoder.window(events: [sampleEvent(2)], into: &$0) })
            #expect(try await client.waitForServerClose())
            #expect(try await eventually { server.logs.contains("the window was not acknowledged", atLeast: .error) })
            await storage.gate.setFailing(false)
            let again = try await server.connect()
            try await again.send(buffer { encoder.window(events: [sampleEvent(3)], into: &$0) })
            try await again.awaitAck(1)
        }
    }

    @Test func gracefulShutdownFinishesTheWindowInFlight() async throws {
        let storage = GatedStorage()
        await storage.gate.setDelay(.milliseconds(500))
        let broker = try await makeBroker(storage: storage)
        let client = Shared<TestClient?>(nil)
        try await withBeatsInput(broker: broker) { server in
            let connection = try await server.connect()
            client.update { $0 = connection }
            try await connection.send(buffer { encoder.window(events: (0..<100).map { sampleEvent($0) }, into: &$0) })
            #expect(try await eventually { await storage.gate.started > 0 })
            // withBeatsInput stops the service group gracefully on return, mid-append.
        }
        let connection = try #require(client.value)
        try await connection.awaitAck(100)
        #expect(try await connection.readAck() == nil)
        #expect(try await readRecords(broker, TopicPartition("logs", 0)).count == 100)
    }

    @Test func eventsAreRoutedByTopicFieldAndPartitionedByKey() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("logs", partitions: 3)
        try await withBeatsInput(broker: broker, { $0.keyField = "host.name"; $0.topicField = "fields.topic" }) { server in
            let client = try await server.connect()
            let events = (0..<30).map { index -> ByteBuffer in
                let topic = ["app-a", "bad topic!", ""][index % 3]
                return ByteBuffer(string: #"{"host":{"name":"web-\#(index % 5)"},"fields":{"topic":"\#(topic)"},"n":\#(index)}"#)
            }
            try await client.send(buffer { encoder.window(events: events, into: &$0) })
            try await client.awaitAck(30)
            let routed = try await server.records("app-a")
            #expect(routed.count == 10)
            var inLogs: [Record] = []
            for partition in 0..<3 as Range<Int32> {
                let records = try await server.records("logs", partition: partition)
                for record in records {
                    let key = try #require(record.key)
                    #expect(Partitioner.partition(forKey: key, partitions: 3) == partition)
                }
                inLogs += records
            }
            #expect(inLogs.count == 20)
            #expect(server.logs.contains("events routed to topic 'bad topic!' go to 'logs' instead", atLeast: .warning))
        }
    }

    @Test func aMissingTopicThatMayNotBeCreatedIsExplained() async throws {
        let broker = try await makeBroker { $0.autoCreateTopics = false }
        try await withBeatsInput(broker: broker) { server in
            let client = try await server.connect()
            try await client.send(buffer { encoder.window(events: [sampleEvent(1)], into: &$0) })
            #expect(try await client.waitForServerClose())
            #expect(try await eventually { server.logs.contains("cannot write to topic 'logs'", atLeast: .error) })
            #expect(server.logs.contains("set broker.autoCreateTopics to true", atLeast: .error))
        }
    }
}
