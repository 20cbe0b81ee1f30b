import Foundation
@testable import KafkaWire
import NIOCore
import SluiceTestSupport
@testable import SluiceKafka
import SluiceKafkaClient
import Testing

/// Byte vectors written by hand from the Kafka protocol guide and the 3.9 message specs.
@Suite struct CodecVectorTests {
    func bytes(_ writer: WireWriter) -> [UInt8] {
        writer.parts.flatMap { part -> [UInt8] in
            guard case .bytes(let buffer) = part else { return [] }
            return Array(buffer.readableBytesView)
        }
    }

    @Test func apiVersionsRequestV3HasHeaderV2AndCompactStrings() {
        var request = ApiVersionsRequest()
        request.clientSoftwareName = "kcat"
        request.clientSoftwareVersion = "1.7"
        let frame = KafkaFrame.request(request, version: 3, correlationId: 7, clientId: "c")
        let expected: [UInt8] = [
            0, 0, 0, 22,             // size
            0, 18, 0, 3, 0, 0, 0, 7, // api key 18, version 3, correlation 7
            0, 1, 0x63,              // client id "c": classic int16 length even in header v2
            0,                       // header tagged fields
            5, 0x6b, 0x63, 0x61, 0x74, // compact "kcat": length + 1
            4, 0x31, 0x2e, 0x37,     // compact "1.7"
            0,                       // body tagged fields
        ]
        #expect(bytes(frame) == expected)
    }

    @Test func apiVersionsResponseV3OmitsDefaultTaggedFields() {
        var response = ApiVersionsResponse()
        response.apiKeys = [.init(apiKey: 3, minVersion: 0, maxVersion: 12)]
        let body = response.encoded(version: 3, flexible: true)
        #expect(bytes(body) == [0, 0, 2, 0, 3, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0])
        response.finalizedFeaturesEpoch = 5
        let tagged = response.encoded(version: 3, flexible: true)
        #expect(bytes(tagged) == [0, 0, 2, 0, 3, 0, 0, 0, 12, 0, 0, 0, 0, 0, 1, 1, 8, 0, 0, 0, 0, 0, 0, 0, 5])
    }

    @Test func apiVersionsResponseHeaderIsAlwaysV0() {
        let frame = KafkaFrame.response(ApiVersionsResponse(), to: ApiVersionsRequest.self, version: 3, correlationId: 9)
        // size, correlation id, then directly the body: no header tagged-field byte.
        #expect(bytes(frame) == [0, 0, 0, 12, 0, 0, 0, 9, 0, 0, 1, 0, 0, 0, 0, 0])
    }

    @Test func metadataTopicsNullabilityFollowsVersions() {
        var request = MetadataRequest()
        request.topics = nil
        #expect(bytes(request.encoded(version: 0, flexible: false)) == [0, 0, 0, 0])        // v0: empty array
        #expect(bytes(request.encoded(version: 1, flexible: false)) == [0xff, 0xff, 0xff, 0xff]) // v1: null
        #expect(bytes(request.encoded(version: 4, flexible: false)) == [0xff, 0xff, 0xff, 0xff, 1])
        #expect(bytes(request.encoded(version: 9, flexible: true)) == [0, 1, 0, 0, 0])    // compact null, 3 bools, tags
    }

    @Test func produceRequestV3CarriesRecordsVerbatim() throws {
        var request = ProduceRequest()
        request.acks = -1
        request.timeoutMs = 1000
        var partition = ProduceRequest.Partition()
        partition.index = 2
        partition.records = .bytes(ByteBuffer(bytes: [1, 2, 3]))
        var topic = ProduceRequest.Topic()
        topic.name = "t"
        topic.partitionData = [partition]
        request.topicData = [topic]
        let body = request.encoded(version: 3, flexible: false)
        #expect(bytes(body) == [
            0xff, 0xff,                 // transactional id null
            0xff, 0xff, 0, 0, 3, 0xe8,  // acks -1, timeout 1000
            0, 0, 0, 1, 0, 1, 0x74,     // one topic "t"
            0, 0, 0, 1, 0, 0, 0, 2,     // one partition, index 2
            0, 0, 0, 3, 1, 2, 3,        // records
        ])
        var reader = WireReader(ByteBuffer(bytes: bytes(body)))
        let decoded = try ProduceRequest.decode(from: &reader, version: 3, flexible: false)
        #expect(decoded == request)
    }

    @Test func fetchResponseSplicesLargeRecordsAsOwnPart() {
        var partition = FetchResponse.Partition()
        partition.records = .bytes(ByteBuffer(repeating: 7, count: 100_000))
        var topic = FetchResponse.Topic()
        topic.topic = "big"
        topic.partitions = [partition]
        var response = FetchResponse()
        response.responses = [topic]
        let writer = response.encoded(version: 11, flexible: false)
        #expect(writer.parts.count == 2)
        #expect(writer.byteCount == writer.parts.reduce(0) { $0 + $1.byteCount })
    }

    @Test func taggedStructFieldIsWrittenOnlyWhenNotDefault() throws {
        var partition = ProduceResponse.Partition()
        let plain = partition.encoded(version: 10, flexible: true).byteCount
        partition.currentLeader.leaderId = 0
        partition.currentLeader.leaderEpoch = 3
        let writer = partition.encoded(version: 10, flexible: true)
        #expect(writer.byteCount == plain + 1 + 1 + 8 + 1) // tag, size, two int32, nested tag count
        var reader = WireReader(ByteBuffer(bytes: bytes(writer)))
        #expect(try ProduceResponse.Partition.decode(from: &reader, version: 10, flexible: true) == partition)
    }

    @Test func unknownTaggedFieldsAreSkipped() throws {
        // Metadata request v9: null topics, three bools, then a tagged section with tag 99.
        var reader = WireReader(ByteBuffer(bytes: [0, 0, 0, 1, 1, 99, 2, 0xaa, 0xbb]))
        let request = try MetadataRequest.decode(from: &reader, version: 9, flexible: true)
        #expect(request.topics == nil)
        #expect(request.includeTopicAuthorizedOperations)
        #expect(reader.remaining == 0)
    }
}

@Suite struct HostileCodecTests {
    @Test func hugeArrayCountIsRefusedBeforeAllocating() {
        var reader = WireReader(ByteBuffer(bytes: [0x7f, 0xff, 0xff, 0xff, 0, 0]))
        #expect(throws: KafkaCodecError.self) { try MetadataRequest.decode(from: &reader, version: 1, flexible: false) }
    }

    @Test func negativeStringLengthIsInvalid() {
        var reader = WireReader(ByteBuffer(bytes: [0, 0, 0, 1, 0xff, 0xfe]))
        #expect(throws: KafkaCodecError.inField("Topics", .inField("Name", .invalidLength(-2)))) {
            try MetadataRequest.decode(from: &reader, version: 1, flexible: false)
        }
    }

    @Test func truncatedMessageNamesTheField() {
        var reader = WireReader(ByteBuffer(bytes: [0xff, 0xff, 0, 1]))
        do {
            _ = try ProduceRequest.decode(from: &reader, version: 3, flexible: false)
            Issue.record("decoded a truncated message")
        } catch {
            #expect(error.fieldPath == ["TimeoutMs"])
        }
    }

    @Test func overlongVarintIsRejected() {
        var reader = WireReader(ByteBuffer(bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))
        #expect(throws: KafkaCodecError.invalidVarint) { try reader.unsignedVarint() }
    }

    @Test func randomBytesNeverCrashTheDecoders() {
        var generator = SeededGenerator.forTest()
        for _ in 0..<200 {
            let length = Int.random(in: 0..<64, using: &generator)
            let junk = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for version in Int16(0)...12 {
                var a = WireReader(ByteBuffer(bytes: junk))
                _ = try? MetadataRequest.decode(from: &a, version: version, flexible: version >= 9)
                var b = WireReader(ByteBuffer(bytes: junk))
                _ = try? FetchRequest.decode(from: &b, version: version, flexible: version >= 12)
                var c = WireReader(ByteBuffer(bytes: junk))
                _ = try? ProduceRequest.decode(from: &c, version: version, flexible: version >= 9)
            }
        }
    }
}

@Suite struct FramingTests {
    @Test func partialFrameWaitsForMoreBytes() throws {
        var buffer = ByteBuffer(bytes: [0, 0, 0, 5, 1, 2])
        #expect(try KafkaFrame.next(from: &buffer, maxSize: 100) == nil)
        buffer.writeBytes([3, 4, 5, 0, 0])
        #expect(try KafkaFrame.next(from: &buffer, maxSize: 100) == ByteBuffer(bytes: [1, 2, 3, 4, 5]))
        #expect(try KafkaFrame.next(from: &buffer, maxSize: 100) == nil)
    }

    @Test func httpRequestIsRefusedByItsSize() {
        var buffer = ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n")
        #expect(throws: KafkaCodecError.frameTooLarge(size: 1_195_725_856, limit: 104_857_600)) {
            try KafkaFrame.next(from: &buffer, maxSize: 104_857_600)
        }
    }

    @Test func twoGigabyteClaimIsRefusedWithoutReadingFurther() {
        var buffer = ByteBuffer(bytes: [0x7f, 0xff, 0xff, 0xff])
        #expect(throws: KafkaCodecError.self) { try KafkaFrame.next(from: &buffer, maxSize: 104_857_600) }
        var negative = ByteBuffer(bytes: [0xff, 0xff, 0xff, 0xfe])
        #expect(throws: KafkaCodecError.self) { try KafkaFrame.next(from: &negative, maxSize: 104_857_600) }
    }
}
