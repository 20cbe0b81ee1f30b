import NIOCore
import SluiceCompression
import Testing
@testable import SluiceBeats

@Suite struct LumberjackParserTests {
    let encoder = LumberjackEncoder()

    @Test func parsesEveryClientFrameType() throws {
        let bytes = buffer { out in
            encoder.window(2, into: &out)
            encoder.json(sequence: 1, ByteBuffer(string: #"{"a":1}"#), into: &out)
            encoder.data(sequence: 2, [("line", "hello"), ("host", "h1")], into: &out)
            encoder.compressed(ByteBuffer(string: "xyz"), into: &out)
        }
        var input = bytes
        let parser = LumberjackParser()
        #expect(try parser.parse(&input) == .window(version: Lumberjack.version2, size: 2))
        #expect(try parser.parse(&input) == .json(sequence: 1, payload: ByteBuffer(string: #"{"a":1}"#)))
        guard case .data(let sequence, let pairs) = try parser.parse(&input) else { Issue.record("expected a data frame"); return }
        #expect(sequence == 2)
        #expect(pairs.map { String(buffer: $0.key) } == ["line", "host"])
        #expect(pairs.map { String(buffer: $0.value) } == ["hello", "h1"])
        guard case .compressed(_, let payload) = try parser.parse(&input) else { Issue.record("expected a compressed frame"); return }
        #expect(String(buffer: try Zlib.inflate(payload, framing: .zlib, limit: 100)) == "xyz")
        #expect(input.readableBytes == 0)
    }

    @Test func waitsForWholeFramesWithoutConsuming() throws {
        let whole = buffer { out in
            encoder.json(sequence: 7, ByteBuffer(string: #"{"message":"hi"}"#), into: &out)
            encoder.data(sequence: 8, [("k", "v")], into: &out)
        }
        let parser = LumberjackParser()
        for cut in 0..<whole.readableBytes {
            var partial = whole.getSlice(at: 0, length: cut)!
            var frames = 0
            while try parser.parse(&partial) != nil { frames += 1 }
            #expect(frames == (cut >= 26 ? 1 : 0), "cut at \(cut)")
            #expect(partial.readableBytes == cut - (frames == 1 ? 26 : 0))
        }
    }

    @Test func refusesOversizedFramesFromTheirHeaders() {
        let parser = LumberjackParser(limits: LumberjackLimits(maxWindowSize: 10, maxEventBytes: 100, maxDecompressedBytes: 1000))
        var window = buffer { encoder.window(11, into: &$0) }
        #expect(throws: BeatsProtocolError.windowTooLarge(size: 11, limit: 10)) { try parser.parse(&window) }
        // Only the 10-byte header of a 5000-byte event has arrived: refused already.
        var event = buffer { out in
            out.writeBytes([Lumberjack.version2, Lumberjack.FrameType.json])
            out.writeInteger(UInt32(3))
            out.writeInteger(UInt32(5000))
        }
        #expect(throws: BeatsProtocolError.eventTooLarge(sequence: 3, size: 5000, limit: 100)) { try parser.parse(&event) }
        var compressed = buffer { out in
            out.writeBytes([Lumberjack.version2, Lumberjack.FrameType.compressed])
            out.writeInteger(UInt32(1001))
        }
        #expect(throws: BeatsProtocolError.compressedFrameTooLarge(size: 1001, limit: 1000)) { try parser.parse(&compressed) }
        var pairs = buffer { encoder.data(sequence: 4, [("k", String(repeating: "v", count: 200))], into: &$0) }
        #expect(throws: BeatsProtocolError.eventTooLarge(sequence: 4, size: 209, limit: 100)) { try parser.parse(&pairs) }
    }

    @Test func refusesUnknownVersionsAndTypes() {
        let parser = LumberjackParser()
        var http = ByteBuffer(string: "GET / HTTP/1.1\r\n")
        #expect(throws: BeatsProtocolError.unsupportedVersion(0x47)) { try parser.parse(&http) }
        var ack = ByteBuffer(bytes: [Lumberjack.version2, Lumberjack.FrameType.ack, 0, 0, 0, 1])
        #expect(throws: BeatsProtocolError.unknownFrameType(version: 0x32, type: 0x41)) { try parser.parse(&ack) }
        var tls = ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x00])
        #expect(throws: BeatsProtocolError.unsupportedVersion(0x16)) { try parser.parse(&tls) }
    }

    @Test func ackFramesAreSixBytes() {
        var out = ByteBuffer()
        Lumberjack.writeAck(version: Lumberjack.version2, sequence: 0x0102_0304, to: &out)
        #expect(Array(out.readableBytesView) == [0x32, 0x41, 1, 2, 3, 4])
    }
}
