import NIOCore
@testable import SluiceCompression
import Testing

/// The Swift snappy against other implementations' encodings, and its own encoding
/// against the format's rules.
@Suite struct SnappyCodecTests {
    @Test func decodesPythonSnappyRawEncoding() throws {
        #expect(try Snappy.decompress(SnappyGoldens.pythonSnappyRaw, limit: 1 << 20) == SnappyGoldens.text)
    }

    @Test func decodesKafkaPythonXerialFraming() throws {
        let expected = SnappyGoldens.text + SnappyGoldens.text + SnappyGoldens.text
        #expect(Array(SnappyGoldens.kafkaPythonXerial.prefix(8)) == Snappy.xerialMagic)
        #expect(try Snappy.decompress(SnappyGoldens.kafkaPythonXerial, limit: 1 << 20) == expected)
    }

    @Test func xerialBlocksCountAgainstOneLimit() throws {
        #expect(throws: CompressionError.self) { try Snappy.decompress(SnappyGoldens.kafkaPythonXerial, limit: 5_000) }
    }

    /// The declared length comes first as a varint; a copy never reaches before the start.
    @Test func encodingStartsWithTheLengthAndCompressesLikeTheReference() throws {
        let encoded = try Snappy.compress(SnappyGoldens.text)
        #expect(Array(encoded.prefix(2)) == [0xA0, 0x18], "3104 as a varint")
        // python-snappy (the C++ library) gets 453 bytes; a greedy encoder should be close.
        #expect(encoded.count < SnappyGoldens.pythonSnappyRaw.count * 3 / 2, "\(encoded.count) bytes")
    }

    @Test func hostileHeadersAreRefused() throws {
        // Declares 4 GiB.
        #expect(throws: CompressionError.self) { try Snappy.decompress([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], limit: 1 << 30) }
        // A varint that never ends.
        #expect(throws: CompressionError.self) { try Snappy.decompress([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], limit: 1 << 30) }
        // A copy from before the start: length 8, then copy offset 1 with nothing written.
        #expect(throws: CompressionError.self) { try Snappy.decompress([0x08, 0x01 | (4 << 2), 0x01], limit: 100) }
        // More output than declared.
        #expect(throws: CompressionError.self) { try Snappy.decompress([0x01, 0x04, 0x61, 0x62], limit: 100) }
        // A xerial header whose block runs past the data.
        #expect(throws: CompressionError.self) { try Snappy.decompress(Snappy.xerialMagic + [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 99, 1], limit: 100) }
    }
}
