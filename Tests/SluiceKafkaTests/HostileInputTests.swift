import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import SluiceTestSupport
import Testing

/// Every kind of bad input gets the right error or a closed connection, and the server
/// keeps serving a well-behaved client on another connection.
@Suite struct HostileInputTests {
    func stillServes(_ server: TestServer) async throws {
        let client = try await server.client(id: "bystander")
        _ = try await client.metadata(topics: nil)
        await client.close()
    }

    func frame(_ body: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: Int32(body.count).bigEndian, Array.init) + body
    }

    @Test func httpRequestIsClosed() async throws {
        try await withServer { server in
            let raw = try server.raw()
            try raw.send(Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
            #expect(await raw.waitForClose())
            try await stillServes(server)
        }
    }

    @Test func twoGigabyteFrameClaimIsClosedAtOnce() async throws {
        try await withServer { server in
            let raw = try server.raw()
            try raw.send([0x7f, 0xff, 0xff, 0xf0, 0, 18])
            #expect(await raw.waitForClose())
            try await stillServes(server)
        }
    }

    @Test func frameAboveSocketRequestMaxBytesIsClosed() async throws {
        var config = KafkaConfiguration()
        config.socketRequestMaxBytes = 1024
        try await withServer(config: config) { server in
            let raw = try server.raw()
            try raw.send(frame([UInt8](repeating: 0, count: 2000)))
            #expect(await raw.waitForClose())
            try await stillServes(server)
        }
    }

    @Test func truncatedFrameNeitherCrashesNorBlocksOthers() async throws {
        try await withServer { server in
            let raw = try server.raw()
            try raw.send([0, 0, 0, 100, 0, 18, 0, 3])
            #expect(await raw.read(timeout: 1) == .timedOut)
            try await stillServes(server)
            raw.shutdownWrite()
            #expect(await raw.waitForClose())
            try await stillServes(server)
        }
    }

    @Test func unknownApiKeyIsClosed() async throws {
        try await withServer { server in
            let raw = try server.raw()
            try raw.send(frame([0x03, 0xe7, 0, 0, 0, 0, 0, 1, 0xff, 0xff]))
            #expect(await raw.waitForClose())
            try await stillServes(server)
        }
    }

    @Test func randomFramedBytesNeverCrashTheServer() async throws {
        try await withServer { server in
            var generator = SeededGenerator.forTest()
            for round in 0..<20 {
                let raw = try server.raw()
                let count = Int.random(in: 0..<200, using: &generator)
                var body = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if round % 2 == 0, body.count >= 4 {
                    // Aim at real APIs so the body decoders see the junk, not just the router.
                    body[0] = 0
                    body[1] = UInt8([0, 1, 2, 3, 18, 19].randomElement(using: &generator)!)
                    body[2] = 0
                    body[3] = UInt8.random(in: 0...12, using: &generator)
                }
                try raw.send(frame(body))
                raw.shutdownWrite()
                _ = await raw.waitForClose()
            }
            try await stillServes(server)
        }
    }

    @Test func unsupportedApiVersionsVersionGetsV0ErrorResponse() async throws {
        try await withServer { server in
            let client = try await server.client()
            var request = WireWriter()
            request.integer(Int32(0))
            RequestHeader(apiKey: .apiVersions, apiVersion: 9, correlationId: 77, clientId: "future").encode(to: &request, headerVersion: 2)
            request.unsignedVarint(0)
            request.patchFirstInt32(Int32(request.byteCount - 4), at: 0)
            guard case .bytes(let bytes) = request.parts[0] else { return }
            let response = try #require(try await client.sendRaw(bytes, expectResponse: true))
            let decoded = try KafkaFrame.decodeResponse(response, to: ApiVersionsRequest.self, version: 0, correlationId: 77)
            #expect(decoded.errorCode == KafkaErrorCode.unsupportedVersion.rawValue)
            #expect(decoded.apiKeys.contains { $0.apiKey == ApiKey.apiVersions.rawValue && $0.maxVersion == 4 })
            await client.close()
        }
    }

    @Test func badCRCIsCorruptMessage() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("crc")
            var batch = RecordBatchBuilder().build(sampleRecords(2)).buffer
            let last = batch.writerIndex - 1
            batch.setInteger(batch.getInteger(at: last, as: UInt8.self)! ^ 0xff, at: last)
            do {
                try await client.produce(topic: "crc", partition: 0, batches: batch)
                Issue.record("a batch with a bad CRC was accepted")
            } catch KafkaClientError.broker(let code, let message, _) {
                #expect(code == .corruptMessage)
                #expect(message?.contains("CRC") == true)
            }
            try await stillServes(server)
            await client.close()
        }
    }

    @Test func oversizedBatchIsMessageTooLarge() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("small", configs: ["max.message.bytes": "1000"])
            let big = [Record(value: [UInt8](repeating: 1, count: 5000), timestamp: 0)]
            do {
                try await client.produce(topic: "small", partition: 0, records: big)
                Issue.record("an oversized batch was accepted")
            } catch KafkaClientError.broker(let code, _, _) {
                #expect(code == .messageTooLarge)
            }
            #expect(try await client.listOffset(topic: "small", partition: 0, .latest).offset == 0)
            await client.close()
        }
    }

    @Test func oldMessageFormatIsUnsupportedForMessageFormat() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("magic")
            var batch = RecordBatchBuilder().build(sampleRecords(1)).buffer
            batch.setInteger(Int8(1), at: 16)
            do {
                try await client.produce(topic: "magic", partition: 0, batches: batch)
                Issue.record("a magic 1 batch was accepted")
            } catch KafkaClientError.broker(let code, _, _) {
                #expect(code == .unsupportedForMessageFormat)
            }
            await client.close()
        }
    }

    @Test func connectionsBeyondMaxConnectionsAreRefused() async throws {
        var config = KafkaConfiguration()
        config.maxConnections = 1
        try await withServer(config: config) { server in
            let first = try await server.client(id: "first")
            await #expect(throws: KafkaClientError.self) { _ = try await server.client(id: "second") }
            _ = try await first.metadata(topics: nil)
            await first.close()
            try await Task.sleep(for: .milliseconds(100))
            try await stillServes(server)
        }
    }
}
