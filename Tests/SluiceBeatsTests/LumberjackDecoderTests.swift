import NIOCore
import NIOEmbedded
import Testing
@testable import SluiceBeats

/// The channel decoder parses frames in the buffers reads deliver and gathers only the
/// frames that straddle two reads: every way of cutting the stream must give the chunks
/// that one read of it gives.
@Suite struct LumberjackDecoderTests {
    let encoder = LumberjackEncoder()

    /// A plain window, a v1 window, a compressed window and a window cut into chunks.
    var stream: ByteBuffer {
        buffer { out in
            encoder.window(events: (0..<5).map { sampleEvent($0, size: 120 + $0 * 37) }, compressionLevel: nil, into: &out)
            encoder.window(2, version: Lumberjack.version1, into: &out)
            encoder.data(sequence: 1, [("message", "one"), ("host", "h")], into: &out)
            encoder.data(sequence: 2, [("message", "two")], into: &out)
            encoder.window(events: (0..<4).map { sampleEvent($0) }, firstSequence: 7, into: &out)
            encoder.window(events: (0..<6).map { sampleEvent($0, size: 300) }, firstSequence: 20, compressionLevel: nil, into: &out)
        }
    }

    /// The chunks the decoder emits for `bytes` delivered in reads of the given sizes
    /// (the last read takes what is left).
    func decode(_ bytes: ByteBuffer, reads sizes: [Int]) throws -> [WindowChunk] {
        let assembler = WindowAssembler(parser: LumberjackParser(), scanner: EventScanner(), chunkBytes: 700)
        let channel = EmbeddedChannel(handler: LumberjackDecoder(assembler: assembler))
        var rest = bytes
        for size in sizes where rest.readableBytes > 0 {
            try channel.writeInbound(rest.readSlice(length: min(size, rest.readableBytes))!)
        }
        if rest.readableBytes > 0 { try channel.writeInbound(rest) }
        var chunks: [WindowChunk] = []
        while let chunk = try channel.readInbound(as: WindowChunk.self) { chunks.append(chunk) }
        _ = try channel.finish()
        return chunks
    }

    /// Arrival times differ between reads; only the events' bytes and fields are compared.
    func shape(_ chunks: [WindowChunk]) -> [[String]] {
        chunks.map { chunk in
            ["\(chunk.version) \(chunk.startsWindow) \(chunk.completesWindow) \(chunk.ackSequence) \(chunk.byteCount)"]
                + chunk.events.map { "\($0.sequence) \(String(buffer: $0.value))" }
        }
    }

    @Test func everyCutOfTheStreamGivesTheSameChunks() throws {
        let whole = try decode(stream, reads: [])
        #expect(whole.filter(\.completesWindow).map(\.ackSequence) == [5, 2, 10, 25])
        for cut in 1..<stream.readableBytes {
            #expect(try shape(decode(stream, reads: [cut])) == shape(whole), "cut at \(cut)")
        }
    }

    @Test func readsOfEverySmallSizeGiveTheSameChunks() throws {
        let whole = shape(try decode(stream, reads: []))
        for size in [1, 2, 3, 5, 7, 11, 64, 333, 1000] {
            #expect(try shape(decode(stream, reads: Array(repeating: size, count: stream.readableBytes / size + 1))) == whole,
                    "reads of \(size) bytes")
        }
    }

    @Test func aProtocolErrorIsRaisedOnceAndLaterBytesAreIgnored() throws {
        let assembler = WindowAssembler(parser: LumberjackParser(limits: LumberjackLimits(maxEventBytes: 100)), scanner: EventScanner())
        let channel = EmbeddedChannel(handler: LumberjackDecoder(assembler: assembler))
        let bytes = buffer { encoder.window(events: [sampleEvent(0, size: 200)], compressionLevel: nil, into: &$0) }
        // The header of the oversized event arrives in two reads; the error comes with the second.
        try channel.writeInbound(bytes.getSlice(at: 0, length: 12)!)
        #expect(throws: BeatsProtocolError.self) { try channel.writeInbound(bytes.getSlice(at: 12, length: 4)!) }
        try channel.writeInbound(bytes.getSlice(at: 16, length: bytes.readableBytes - 16)!)
        #expect(try channel.readInbound(as: WindowChunk.self) == nil)
        _ = try? channel.finish()
    }
}
