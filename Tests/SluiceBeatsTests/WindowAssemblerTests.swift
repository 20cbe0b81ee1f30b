import NIOCore
import Testing
@testable import SluiceBeats

@Suite struct WindowAssemblerTests {
    let encoder = LumberjackEncoder()

    func assemble(_ bytes: ByteBuffer, limits: LumberjackLimits = LumberjackLimits(), chunkBytes: Int = 1 << 20,
                  scanner: EventScanner = EventScanner()) throws -> [WindowChunk] {
        var assembler = WindowAssembler(parser: LumberjackParser(limits: limits), scanner: scanner, chunkBytes: chunkBytes)
        var input = bytes
        var chunks: [WindowChunk] = []
        try assembler.consume(&input, arrival: 42) { chunks.append($0) }
        return chunks
    }

    @Test func aCompressedWindowBecomesOneChunkAckedAtItsLastSequence() throws {
        let events = (0..<100).map { sampleEvent($0) }
        let chunks = try assemble(buffer { encoder.window(events: events, firstSequence: 501, into: &$0) })
        #expect(chunks.count == 1)
        #expect(chunks[0].startsWindow && chunks[0].completesWindow)
        #expect(chunks[0].ackSequence == 600)
        #expect(chunks[0].events.map(\.value) == events)
        #expect(chunks[0].events.allSatisfy { $0.timestamp == 1_714_566_896_789 })
    }

    @Test func largeWindowsAreCutIntoChunksAndOnlyTheLastCompletes() throws {
        let events = (0..<50).map { sampleEvent($0, size: 1000) }
        let chunks = try assemble(buffer { encoder.window(events: events, compressionLevel: nil, into: &$0) }, chunkBytes: 10_000)
        #expect(chunks.count == 5)
        #expect(chunks.map(\.startsWindow) == [true, false, false, false, false])
        #expect(chunks.map(\.completesWindow) == [false, false, false, false, true])
        #expect(chunks.flatMap(\.events).map(\.sequence) == Array(1...50))
        #expect(chunks.last?.ackSequence == 50)
    }

    @Test func eventsWithoutTimestampGetTheArrivalTime() throws {
        let chunks = try assemble(buffer { out in
            encoder.window(3, into: &out)
            encoder.json(sequence: 1, ByteBuffer(string: #"{"message":"no time"}"#), into: &out)
            encoder.json(sequence: 2, ByteBuffer(string: #"{"@timestamp":"yesterday"}"#), into: &out)
            encoder.json(sequence: 3, ByteBuffer(string: #"{"@timestamp":12345}"#), into: &out)
        })
        #expect(chunks.flatMap(\.events).map(\.timestamp) == [42, 42, 42])
    }

    @Test func v1PairsBecomeAJSONObjectAndTheAckKeepsVersionOne() throws {
        let chunks = try assemble(buffer { out in
            encoder.window(1, version: Lumberjack.version1, into: &out)
            encoder.data(sequence: 9, [("line", "say \"hi\"\n"), ("host", "h1"), ("line", "last wins")], into: &out)
        })
        #expect(chunks.count == 1)
        #expect(chunks[0].version == Lumberjack.version1)
        #expect(chunks[0].ackSequence == 9)
        #expect(String(buffer: chunks[0].events[0].value) == #"{"line":"last wins","host":"h1"}"#)
    }

    @Test func aNewWindowClosesAnIncompleteOneAsLogstashDoes() throws {
        let chunks = try assemble(buffer { out in
            encoder.window(5, into: &out)
            encoder.json(sequence: 1, sampleEvent(1), into: &out)
            encoder.json(sequence: 2, sampleEvent(2), into: &out)
            encoder.window(1, into: &out)
            encoder.json(sequence: 1, sampleEvent(3), into: &out)
        })
        #expect(chunks.map(\.completesWindow) == [true, true])
        #expect(chunks.map(\.ackSequence) == [2, 1])
        #expect(chunks.map(\.events.count) == [2, 1])
    }

    @Test func emptyWindowsAreIgnored() throws {
        #expect(try assemble(buffer { encoder.window(0, into: &$0) }).isEmpty)
    }

    @Test func dataBeforeAWindowIsRefused() {
        #expect(throws: BeatsProtocolError.dataBeforeWindow(sequence: 1)) {
            try assemble(buffer { encoder.json(sequence: 1, sampleEvent(1), into: &$0) })
        }
    }

    @Test func aZipBombStopsAtTheLimit() {
        let bomb = ByteBuffer(repeating: 0x20, count: 8 << 20)
        #expect(throws: BeatsProtocolError.decompressedTooLarge(limit: 1 << 20)) {
            try assemble(buffer { out in
                encoder.window(1, into: &out)
                encoder.compressed(bomb, level: 9, into: &out)
            }, limits: LumberjackLimits(maxDecompressedBytes: 1 << 20))
        }
    }

    @Test func nestedCompressionIsBoundedInDepthAndInTotal() throws {
        let inner = buffer { encoder.json(sequence: 1, sampleEvent(1), into: &$0) }
        let once = buffer { encoder.compressed(inner, into: &$0) }
        let twice = buffer { encoder.compressed(once, into: &$0) }
        let chunks = try assemble(buffer { out in
            encoder.window(1, into: &out)
            encoder.compressed(once, into: &out)
        })
        #expect(chunks.first?.events.count == 1)
        #expect(throws: BeatsProtocolError.compressionNestedTooDeep(limit: 2)) {
            try assemble(buffer { out in
                encoder.window(1, into: &out)
                encoder.compressed(twice, into: &out)
            })
        }
    }

    @Test func aFrameCutInsideACompressedFrameIsRefused() {
        let whole = buffer { encoder.json(sequence: 1, sampleEvent(1), into: &$0) }
        let cut = whole.getSlice(at: 0, length: whole.readableBytes - 5)!
        #expect(throws: BeatsProtocolError.truncatedFrameInCompressedFrame(remaining: cut.readableBytes)) {
            try assemble(buffer { out in
                encoder.window(1, into: &out)
                encoder.compressed(cut, into: &out)
            })
        }
    }

    @Test func corruptZlibIsRefused() {
        #expect(throws: BeatsProtocolError.self) {
            try assemble(buffer { out in
                encoder.window(1, into: &out)
                out.writeBytes([Lumberjack.version2, Lumberjack.FrameType.compressed, 0, 0, 0, 4, 0x78, 0x9C, 0xFF, 0xFF])
            })
        }
    }
}
