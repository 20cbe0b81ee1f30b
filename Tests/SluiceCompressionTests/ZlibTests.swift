import NIOCore
import SluiceCompression
import Testing

/// The one zlib wrapper, in both framings: zlib's (Lumberjack's compressed frames) and
/// gzip's (Kafka's gzip codec).
@Suite struct ZlibTests {
    @Test(arguments: [Zlib.Framing.zlib, .gzip])
    func roundTripsAtEveryLevel(_ framing: Zlib.Framing) throws {
        let text = ByteBuffer(string: String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 20_000))
        for level in [Int32(0), 1, 3, 9, -1] {
            let compressed = Zlib.deflate(text, framing: framing, level: level)
            #expect(try Zlib.inflate(compressed, framing: framing, limit: text.readableBytes) == text)
        }
    }

    @Test func theFramingIsTheOneAskedFor() {
        let zlib = Zlib.deflate(ByteBuffer(string: "x"), framing: .zlib)
        let gzip = Zlib.deflate(ByteBuffer(string: "x"), framing: .gzip)
        #expect(zlib.getInteger(at: 0, as: UInt8.self) == 0x78)
        #expect(gzip.getBytes(at: 0, length: 2) == [0x1F, 0x8B])
        #expect(throws: Zlib.Failure.self) { try Zlib.inflate(zlib, framing: .gzip, limit: 100) }
        #expect(throws: Zlib.Failure.self) { try Zlib.inflate(gzip, framing: .zlib, limit: 100) }
    }

    @Test(arguments: [Zlib.Framing.zlib, .gzip])
    func anOutputOfExactlyTheLimitIsAccepted(_ framing: Zlib.Framing) throws {
        let data = ByteBuffer(repeating: 7, count: 300_000)
        let compressed = Zlib.deflate(data, framing: framing)
        #expect(try Zlib.inflate(compressed, framing: framing, limit: 300_000).readableBytes == 300_000)
        #expect(throws: Zlib.Failure.tooLarge(limit: 299_999)) {
            try Zlib.inflate(compressed, framing: framing, limit: 299_999)
        }
    }

    @Test(arguments: [Zlib.Framing.zlib, .gzip])
    func truncatedAndCorruptStreamsAreRefused(_ framing: Zlib.Framing) {
        let compressed = Zlib.deflate(ByteBuffer(string: String(repeating: "abc", count: 1000)), framing: framing)
        let truncated = compressed.getSlice(at: 0, length: compressed.readableBytes - 3)!
        #expect(throws: Zlib.Failure.self) { try Zlib.inflate(truncated, framing: framing, limit: 1 << 20) }
        #expect(throws: Zlib.Failure.self) { try Zlib.inflate(ByteBuffer(string: "not zlib at all"), framing: framing, limit: 1 << 20) }
        #expect(throws: Zlib.Failure.self) { try Zlib.inflate(ByteBuffer(), framing: framing, limit: 1 << 20) }
    }

    /// Java's GZIPInputStream reads concatenated gzip members as one stream; so do we, and
    /// the limit counts the output of all of them.
    @Test func concatenatedGzipMembersInflateAsOne() throws {
        var both = Zlib.deflate(ByteBuffer(string: "first,"), framing: .gzip)
        var second = Zlib.deflate(ByteBuffer(string: "second"), framing: .gzip)
        both.writeBuffer(&second)
        #expect(String(buffer: try Zlib.inflate(both, framing: .gzip, limit: 100)) == "first,second")
        #expect(throws: Zlib.Failure.tooLarge(limit: 8)) { try Zlib.inflate(both, framing: .gzip, limit: 8) }
        #expect(throws: Zlib.Failure.tooLarge(limit: 6)) { try Zlib.inflate(both, framing: .gzip, limit: 6) }
    }
}
