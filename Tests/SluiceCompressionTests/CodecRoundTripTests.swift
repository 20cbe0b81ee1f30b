import NIOCore
@testable import SluiceCompression
import SluiceKernel
import SluiceTestSupport
import Testing

/// Every codec through `BatchCodec`: lz4 and zstd through the libraries loaded at run
/// time, snappy through the Swift implementation, gzip through zlib.
@Suite struct CodecRoundTripTests {
    static let codecs: [RecordBatch.Compression] = [.gzip, .snappy, .lz4, .zstd]

    /// Inputs of the shapes batches have: empty, tiny, repetitive text, random bytes
    /// (incompressible), and long inputs that cross snappy's 64 KiB blocks and lz4's
    /// 64 KiB frame blocks.
    static func inputs(_ generator: inout SeededGenerator) -> [(String, [UInt8])] {
        let line = Array("2026-12-07T03:20:39Z host=web-1 level=info msg=\"request served\" status=200\n".utf8)
        return [
            ("empty", []),
            ("one byte", [42]),
            ("fifteen bytes", Array("fifteen bytes!!".utf8)),
            ("repetitive 200 KiB", Array((0..<2_800).map { _ in line }.joined())),
            ("random 100 KiB", generator.bytes(100 * 1024)),
            ("one byte repeated 300 KiB", [UInt8](repeating: 7, count: 300 * 1024)),
            ("mixed", generator.bytes(5_000) + Array((0..<500).map { _ in line }.joined()) + generator.bytes(70_000)),
        ]
    }

    @Test(arguments: codecs)
    func compressThenDecompressGivesTheInputBack(_ codec: RecordBatch.Compression) throws {
        let seed = SeededGenerator.seedForRun()
        var generator = SeededGenerator(seed: seed)
        for (name, input) in Self.inputs(&generator) {
            let compressed = try BatchCodec.compress(codec, ByteBuffer(bytes: input))
            let back = try BatchCodec.decompress(codec, compressed)
            #expect(Array(back.readableBytesView) == input, "\(codec) \(name), SLUICE_TEST_SEED=\(seed)")
        }
    }

    @Test(arguments: codecs)
    func repetitiveTextShrinks(_ codec: RecordBatch.Compression) throws {
        let text = Array(String(repeating: "the same log line again and again\n", count: 3_000).utf8)
        let compressed = try BatchCodec.compress(codec, ByteBuffer(bytes: text))
        #expect(compressed.readableBytes < text.count / 10, "\(codec): \(compressed.readableBytes) of \(text.count) bytes")
    }

    @Test(arguments: codecs)
    func decompressingPastTheLimitIsRefused(_ codec: RecordBatch.Compression) throws {
        let input = [UInt8](repeating: 1, count: 64 * 1024)
        let compressed = try BatchCodec.compress(codec, ByteBuffer(bytes: input))
        #expect(throws: CompressionError.self) { try BatchCodec.decompress(codec, compressed, limit: 1000) }
    }

    /// Garbage and truncated streams are errors, never crashes or hangs.
    @Test(arguments: codecs)
    func corruptInputIsAnError(_ codec: RecordBatch.Compression) throws {
        let seed = SeededGenerator.seedForRun()
        var generator = SeededGenerator(seed: seed)
        let valid = try BatchCodec.compress(codec, ByteBuffer(bytes: Array(String(repeating: "abcdefgh", count: 5_000).utf8)))
        let bytes = Array(valid.readableBytesView)
        for cut in [1, bytes.count / 2, bytes.count - 1] {
            #expect(throws: CompressionError.self, "\(codec) cut at \(cut)") {
                try BatchCodec.decompress(codec, ByteBuffer(bytes: bytes.prefix(cut)))
            }
        }
        for round in 0..<200 {
            var mangled = bytes
            for _ in 0..<4 { mangled[Int.random(in: 0..<mangled.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            // Either an error or some output within the limit: what matters is no crash.
            let output = try? BatchCodec.decompress(codec, ByteBuffer(bytes: mangled), limit: 1 << 20)
            #expect((output?.readableBytes ?? 0) <= 1 << 20, "\(codec) round \(round), SLUICE_TEST_SEED=\(seed)")
        }
    }
}

/// A codec whose library cannot be loaded is an error naming the Debian package.
@Suite struct NativeLibraryTests {
    @Test func aMissingLibraryNamesThePackageToInstall() throws {
        let result = NativeLibrary.open(["libsluice-no-such-lz4.so.9"], codec: .lz4, package: "liblz4-1")
        guard case .failure(let error) = result else {
            Issue.record("a library that does not exist was opened")
            return
        }
        #expect(error.codec == .lz4)
        #expect(error.reason.contains("apt-get install liblz4-1"), "\(error)")
        #expect(error.reason.contains("libsluice-no-such-lz4.so.9"), "\(error)")
    }

    @Test func aMissingFunctionIsNamed() throws {
        let library = try NativeLibrary.open(["libzstd.so.1"], codec: .zstd, package: "libzstd1").get()
        #expect(throws: CompressionError.self) {
            let _: @convention(c) () -> Void = try library.function("ZSTD_no_such_function")
        }
    }

    @Test func theRunTimeLibrariesAreTheSystemOnes() throws {
        #expect(try LZ4Library.shared.get().errorName(0).isEmpty == false)
        #expect(throws: Never.self) { try ZstdLibrary.shared.get() }
    }
}
