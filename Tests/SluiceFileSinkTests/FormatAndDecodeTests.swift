import Foundation
import NIOCore
import SluiceCompression
import SluiceKernel
import Testing
@testable import SluiceFileSink

@Suite("Record lines and batch decoding")
struct FormatAndDecodeTests {
    let tp = TopicPartition("logs", 3)

    @Test func valueFormatIsTheValueAndANewline() {
        let formatter = RecordFormatter(format: .value, topicPartition: tp)
        #expect(formatter.line(Record(value: Array("hello".utf8), timestamp: 1)) == Array("hello\n".utf8))
        #expect(formatter.line(Record(value: nil, timestamp: 1)) == [0x0A], "a null value is an empty line")
    }

    @Test func jsonFormatHasEveryFieldAndEscapesText() throws {
        let formatter = RecordFormatter(format: .json, topicPartition: tp)
        let record = Record(key: Array("k\"1".utf8), value: Array("line\nwith \\ and \u{1} and é".utf8),
                            headers: [.init(key: "trace", value: Array("abc".utf8)), .init(key: "empty", value: nil)],
                            timestamp: 1_700_000_000_123, offset: 42)
        let line = String(decoding: formatter.line(record), as: UTF8.self)
        #expect(line == #"{"topic":"logs","partition":3,"offset":42,"timestamp":1700000000123,"key":"k\"1","headers":[{"key":"trace","value":"abc"},{"key":"empty","value":null}],"value":"line\nwith \\ and \u0001 and é"}"# + "\n")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["value"] as? String == "line\nwith \\ and \u{1} and é")
    }

    @Test func jsonFormatWritesBinaryAsBase64WithAMarker() throws {
        let formatter = RecordFormatter(format: .json, topicPartition: tp)
        let binary: [UInt8] = [0x00, 0xFF, 0xFE, 0x80, 0x41]
        let record = Record(key: nil, value: binary, headers: [.init(key: "bin", value: [0xC3])], timestamp: 5, offset: 0)
        let line = formatter.line(record)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["key"] is NSNull)
        #expect(object["valueEncoding"] as? String == "base64")
        #expect(Data(base64Encoded: object["value"] as? String ?? "") == Data(binary))
        let header = try #require((object["headers"] as? [[String: Any]])?.first)
        #expect(header["valueEncoding"] as? String == "base64")
        #expect(Data(base64Encoded: header["value"] as? String ?? "") == Data([0xC3]))
        #expect(object["keyEncoding"] == nil, "the marker appears only for base64 fields")
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5, 100])
    func base64MatchesFoundation(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        var out: [UInt8] = []
        JSONText.appendBase64(bytes, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"" + Data(bytes).base64EncodedString() + "\"")
    }

    @Test(arguments: [Int64(0), 7, -1, 1_700_000_000_123, .max, .min])
    func integersMatchDescription(value: Int64) {
        var out: [UInt8] = []
        JSONText.appendInteger(value, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == String(value))
    }

    @Test func gzipBatchesAreDecompressed() throws {
        let records = (0..<50).map { Record(key: nil, value: Array("zipped-\($0)".utf8), timestamp: 1000 + Int64($0)) }
        let batch = try compressedBatch(records, codec: .gzip, compress: gzip)
        let decoded = try BatchDecoder.records(of: batch, in: tp)
        #expect(decoded.map { String(decoding: $0.value ?? [], as: UTF8.self) } == (0..<50).map { "zipped-\($0)" })
        #expect(decoded.map(\.offset) == Array(0..<50))
    }

    @Test func corruptGzipIsAClearError() throws {
        let batch = try compressedBatch([Record(value: Array("x".utf8), timestamp: 1)], codec: .gzip) { _ in [0x1F, 0x8B, 0x08, 0x00, 0xDE, 0xAD] }
        #expect(throws: FileSinkError.self) { try BatchDecoder.records(of: batch, in: tp) }
    }

    @Test(arguments: [RecordBatch.Compression.snappy, .lz4, .zstd])
    func everyKafkaCodecIsDecompressed(codec: RecordBatch.Compression) throws {
        let records = (0..<200).map { Record(key: Array("k\($0)".utf8), value: Array("value-\($0)-".utf8) + Array(repeating: 0x61, count: $0),
                                             timestamp: 1000 + Int64($0)) }
        let batch = try compressedBatch(records, codec: codec) { Array(try BatchCodec.compress(codec, ByteBuffer(bytes: $0)).readableBytesView) }
        let decoded = try BatchDecoder.records(of: batch, in: tp)
        #expect(decoded.map(\.value) == records.map(\.value))
        #expect(decoded.map(\.key) == records.map(\.key))
        #expect(decoded.map(\.offset) == Array(0..<200))
    }

    @Test func xerialFramedSnappyIsDecompressed() throws {
        let records = (0..<20).map { Record(value: Array("xerial-\($0)".utf8), timestamp: 5) }
        let batch = try compressedBatch(records, codec: .snappy) { body in
            // Java and kafka-python producers frame raw snappy blocks: magic, version 1,
            // compatible version 1, then big-endian length + block, here in two blocks.
            var framed: [UInt8] = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]
            for half in [body[..<(body.count / 2)], body[(body.count / 2)...]] {
                let block = Array(try BatchCodec.compress(.snappy, ByteBuffer(bytes: Array(half))).readableBytesView)
                framed += withUnsafeBytes(of: UInt32(block.count).bigEndian, Array.init) + block
            }
            return framed
        }
        let decoded = try BatchDecoder.records(of: batch, in: tp)
        #expect(decoded.map { String(decoding: $0.value ?? [], as: UTF8.self) } == (0..<20).map { "xerial-\($0)" })
    }

    @Test(arguments: [RecordBatch.Compression.snappy, .lz4, .zstd])
    func corruptDataOfEveryCodecNamesTheOffsetAndCodec(codec: RecordBatch.Compression) throws {
        let batch = try compressedBatch([Record(value: Array("x".utf8), timestamp: 1), Record(value: Array("y".utf8), timestamp: 2)], codec: codec) {
            _ in [0xFF, 0xEE, 0xDD, 0xCC, 0xBB, 0xAA, 0x99]
        }
        do {
            _ = try BatchDecoder.records(of: batch, in: tp)
            Issue.record("corrupt \(codec) data must be refused")
        } catch {
            guard case .decompression(let where_, let offset, let reason) = error else {
                Issue.record("expected a decompression error, got \(error)")
                return
            }
            #expect(where_ == tp && offset == 0)
            #expect(reason.hasPrefix("\(codec)"))
        }
    }
}

/// A batch of `records` whose record bytes are replaced by `compress(recordBytes)` and
/// whose attributes name `codec`, with a correct CRC: what a compressing producer sends.
func compressedBatch(_ records: [Record], codec: RecordBatch.Compression, compress: ([UInt8]) throws -> [UInt8]) throws -> RecordBatch {
    let plain = RecordBatchBuilder().build(records).buffer
    let body = Array(plain.readableBytesView.dropFirst(RecordBatch.headerSize))
    var buffer = ByteBuffer()
    buffer.writeImmutableBuffer(plain.getSlice(at: plain.readerIndex, length: RecordBatch.headerSize)!)
    buffer.writeBytes(try compress(body))
    buffer.setInteger(Int32(buffer.readableBytes - RecordBatch.lengthPrefixSize), at: 8)
    buffer.setInteger(codec.rawValue, at: 21)
    let unchecked = try #require(try RecordBatch.parse(buffer, verifyCRC: false).first)
    buffer.setInteger(unchecked.computeCRC(), at: 17)
    return try #require(try RecordBatch.parse(buffer).first)
}

/// gzip through zlib's deflate, as Kafka's Java client writes it.
func gzip(_ input: [UInt8]) throws -> [UInt8] {
    Array(Zlib.deflate(ByteBuffer(bytes: input), framing: .gzip).readableBytesView)
}
