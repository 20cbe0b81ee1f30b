import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

/// Requests and responses as real clients put them on the wire (captured by
/// Tests/Golden/capture.py from kcat, confluent-kafka, kafka-python, aiokafka and the
/// Java client 3.9 against `sluice serve`): each decodes with nothing left over,
/// re-encodes to the same bytes, and carries the values its client was told to send.
/// Sluice's own encoder and decoder agreeing with each other cannot catch a symmetric
/// mistake; a client's bytes can.
@Suite struct GoldenWireTests {
    static let clients = ["kcat", "confluent-kafka", "kafka-python", "aiokafka", "java"]

    @Test(arguments: clients)
    func everyCapturedExchangeDecodesReencodesAndCarriesTheClientsValues(_ client: String) throws {
        let capture = try GoldenCapture.load(client)
        #expect(capture.exchanges.count >= 10, "\(client): the capture holds too few exchanges")
        var context = GoldenContext(capture: capture)
        for exchange in capture.exchanges {
            guard let type = MessageCatalogTests.requests.first(where: { $0.apiKey.rawValue == exchange.api }) else {
                Issue.record("\(client): \(exchange.name) (key \(exchange.api)) is not a declared message")
                continue
            }
            try check(type, exchange, &context)
        }
        context.expectEverythingSeen()
    }

    /// Each client's APIs and versions, as captured: a new client version that moves to
    /// another version shows up here, and the capture is then made again.
    @Test func theCapturesCoverTheAPIsEachClientUses() throws {
        let expected: [String: Set<String>] = [
            "kcat": ["ApiVersions", "Metadata", "Produce", "Fetch", "ListOffsets", "FindCoordinator", "JoinGroup",
                     "SyncGroup", "Heartbeat", "OffsetCommit", "LeaveGroup"],
            "confluent-kafka": ["ApiVersions", "Metadata", "CreateTopics", "DescribeConfigs", "Produce", "Fetch",
                                "ListOffsets", "FindCoordinator", "JoinGroup", "SyncGroup", "OffsetCommit",
                                "OffsetFetch", "LeaveGroup", "ListGroups", "DescribeGroups"],
            "kafka-python": ["ApiVersions", "Metadata", "CreateTopics", "DescribeConfigs", "InitProducerId", "Produce",
                             "Fetch", "ListOffsets", "FindCoordinator", "JoinGroup", "SyncGroup", "OffsetCommit",
                             "OffsetFetch", "LeaveGroup", "ListGroups", "DescribeGroups"],
            "aiokafka": ["ApiVersions", "Metadata", "Produce", "Fetch", "ListOffsets", "FindCoordinator", "JoinGroup",
                         "SyncGroup", "OffsetCommit", "OffsetFetch", "LeaveGroup"],
            "java": ["ApiVersions", "Metadata", "CreateTopics", "DescribeConfigs", "InitProducerId", "Produce", "Fetch",
                     "ListOffsets", "FindCoordinator", "JoinGroup", "SyncGroup", "OffsetCommit", "OffsetFetch",
                     "LeaveGroup", "ListGroups", "DescribeGroups"],
        ]
        for client in Self.clients {
            let names = Set(try GoldenCapture.load(client).exchanges.map(\.name))
            #expect(names.isSuperset(of: expected[client]!), "\(client) lacks \(expected[client]!.subtracting(names).sorted())")
        }
    }

    /// Requests a client sends with bytes after the body's tagged fields. Kafka's
    /// generated readers stop at the end of the tagged fields and ignore what follows, and
    /// so does Sluice; the values before them are what the tests check.
    /// - librdkafka 2.16's Metadata v12 for all topics (topics null) ends in `01 00 00`
    ///   (its other Metadata v12 requests do not).
    static let knownTrailingBytes = ["confluent-kafka Metadata v12": 3]

    func check<R: KafkaRequest>(_: R.Type, _ exchange: GoldenExchange, _ context: inout GoldenContext) throws {
        let label = "\(context.capture.client) \(exchange.name) v\(exchange.version)"
        // The request: header and body, nothing left, the same bytes when written again.
        var reader = WireReader(ByteBuffer(bytes: exchange.request))
        var header = try RequestHeader.decodePrefix(from: &reader)
        try header.decodeRest(from: &reader, headerVersion: R.requestHeaderVersion(header.apiVersion))
        let request = try R.decode(from: &reader, version: header.apiVersion, flexible: R.isFlexible(header.apiVersion))
        let trailing = reader.remaining
        #expect(trailing == 0 || trailing == Self.knownTrailingBytes[label], "\(label): \(trailing) request bytes were not read")
        let rewritten = bytes(KafkaFrame.request(request, version: header.apiVersion, correlationId: header.correlationId,
                                                 clientId: header.clientId)).dropFirst(KafkaFrame.sizePrefixBytes)
        #expect(Array(rewritten) == exchange.request.dropLast(trailing), "\(label): the request re-encodes differently")
        // The response Sluice gave, which the client accepted.
        var responseReader = WireReader(ByteBuffer(bytes: exchange.response))
        let responseHeader = try ResponseHeader.decode(from: &responseReader, headerVersion: R.responseHeaderVersion(header.apiVersion))
        #expect(responseHeader.correlationId == header.correlationId, "\(label)")
        let response = try R.Response.decode(from: &responseReader, version: header.apiVersion, flexible: R.isFlexible(header.apiVersion))
        #expect(responseReader.remaining == 0, "\(label): \(responseReader.remaining) response bytes were not read")
        let rewrittenResponse = bytes(KafkaFrame.response(response, to: R.self, version: header.apiVersion,
                                                          correlationId: header.correlationId)).dropFirst(KafkaFrame.sizePrefixBytes)
        #expect(Array(rewrittenResponse) == exchange.response, "\(label): the response re-encodes differently")
        try context.expectValues(request, response, label: label)
    }

    func bytes(_ writer: WireWriter) -> [UInt8] {
        writer.parts.flatMap { part -> [UInt8] in
            guard case .bytes(let buffer) = part else { return [] }
            return Array(buffer.readableBytesView)
        }
    }
}

/// One client's capture, as Tests/Golden/capture.py writes it.
struct GoldenCapture: Decodable {
    var client: String
    var topic: String
    var group: String
    var values: [String]
    var commitOffset: Int64
    var metadata: String
    var exchanges: [GoldenExchange]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func load(_ client: String) throws -> GoldenCapture {
        try JSONDecoder().decode(GoldenCapture.self, from: Data(contentsOf: directory.appendingPathComponent("\(client).json")))
    }
}

struct GoldenExchange: Decodable {
    var api: Int16
    var name: String
    var version: Int16
    var requestHex: String
    var responseHex: String

    enum CodingKeys: String, CodingKey {
        case api, name, version
        case requestHex = "request"
        case responseHex = "response"
    }

    var request: [UInt8] { Self.decodeHex(requestHex) }
    var response: [UInt8] { Self.decodeHex(responseHex) }

    static func decodeHex(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }
}
