import Foundation
@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import Testing

/// Checks every declaration against the rules of Kafka's message specs, and that every
/// declared version of every message reads back what it writes.
@Suite struct MessageCatalogTests {
    static let requests = DeclaredRequests.all

    @Test func everyRoutedApiIsDeclaredHere() {
        #expect(Set(ApiRoutes.all.map(\.apiKey)) == Set(Self.requests.map { $0.apiKey }))
        #expect(Set(Self.groupRequests.map { $0.apiKey }).isSubset(of: Set(Self.requests.map { $0.apiKey })))
    }

    /// KafkaWire's `RequestParsing` (the fuzz target's parser) accepts every declared
    /// version, as the server does only while no handler narrows `acceptedVersions`.
    @Test func theServerAcceptsEveryDeclaredVersion() {
        for route in ApiRoutes.all {
            let declared = Self.requests.first { $0.apiKey == route.apiKey }!.validVersions
            #expect(route.accepted == declared, "\(route.apiKey)")
        }
    }

    @Test func advertisedVersionsAreAcceptedAndDeclared() {
        for route in ApiRoutes.all {
            let declared = Self.requests.first { $0.apiKey == route.apiKey }!.validVersions
            #expect(route.advertised.intersection(route.accepted) == route.advertised, "\(route.apiKey)")
            #expect(route.accepted.intersection(declared) == route.accepted, "\(route.apiKey)")
        }
    }

    @Test func taggedFieldsOnlyInFlexibleVersions() {
        for request in Self.requests { lintTags(request) }
    }

    func lintTags<R: KafkaRequest>(_: R.Type) {
        for field in R.fields where field.tag != nil {
            #expect(field.taggedVersions.intersection(R.flexibleVersions) == field.taggedVersions, "\(R.self).\(field.name)")
        }
        for field in R.Response.fields where field.tag != nil {
            #expect(field.taggedVersions.intersection(R.flexibleVersions) == field.taggedVersions, "\(R.Response.self).\(field.name)")
        }
    }

    @Test func defaultsRoundTripInEveryDeclaredVersion() throws {
        for request in Self.requests { try roundTripDefaults(request) }
    }

    func roundTripDefaults<R: KafkaRequest>(_: R.Type) throws {
        for version in R.validVersions.lowest...R.validVersions.highest {
            let flexible = R.isFlexible(version)
            try expectRoundTrip(R(), version: version, flexible: flexible)
            try expectRoundTrip(R.Response(), version: version, flexible: flexible)
        }
    }

    /// Writing, reading and writing again gives the same bytes, and reading consumes
    /// exactly what was written.
    func expectRoundTrip<S: KafkaStruct>(_ value: S, version: Int16, flexible: Bool) throws {
        let first = value.encoded(version: version, flexible: flexible)
        let bytes = try flatten(first)
        var reader = WireReader(bytes)
        let decoded = try S.decode(from: &reader, version: version, flexible: flexible)
        #expect(reader.remaining == 0, "\(S.self) v\(version) left \(reader.remaining) bytes")
        #expect(try flatten(decoded.encoded(version: version, flexible: flexible)) == bytes, "\(S.self) v\(version)")
    }

    func flatten(_ writer: WireWriter) throws -> ByteBuffer {
        var out = ByteBuffer()
        for part in writer.parts {
            switch part {
            case .bytes(var bytes): out.writeBuffer(&bytes)
            case .file(let region): var loaded = try region.load(); out.writeBuffer(&loaded)
            }
        }
        return out
    }

    @Test func populatedMessagesRoundTripInEveryVersion() throws {
        var fetch = FetchResponse()
        var partition = FetchResponse.Partition()
        partition.partitionIndex = 3
        partition.highWatermark = 42
        partition.abortedTransactions = [.init()]
        partition.records = .bytes(ByteBuffer(bytes: [9, 8, 7]))
        partition.currentLeader.leaderEpoch = 5
        var topic = FetchResponse.Topic()
        topic.topic = "t"
        topic.topicId = UUID()
        topic.partitions = [partition, FetchResponse.Partition()]
        fetch.responses = [topic]
        fetch.nodeEndpoints = [.init()]
        for version in FetchRequest.validVersions.lowest...FetchRequest.validVersions.highest {
            try expectRoundTrip(fetch, version: version, flexible: FetchRequest.isFlexible(version))
        }

        var configs = DescribeConfigsResponse()
        var result = DescribeConfigsResponse.Result()
        var entry = DescribeConfigsResponse.Config()
        entry.name = "retention.ms"
        entry.value = "1"
        entry.synonyms = [.init()]
        entry.documentation = "doc"
        result.configs = [entry]
        configs.results = [result]
        for version in DescribeConfigsRequest.validVersions.lowest...DescribeConfigsRequest.validVersions.highest {
            try expectRoundTrip(configs, version: version, flexible: DescribeConfigsRequest.isFlexible(version))
        }

        var metadata = MetadataRequest()
        metadata.topics = [.init(name: "a"), .init(name: nil, topicId: UUID())]
        for version in Int16(12)...12 {
            try expectRoundTrip(metadata, version: version, flexible: true)
        }
    }
}
