import Foundation
@testable import KafkaWire
@testable import SluiceKafka
import SluiceKafkaClient
@testable import SluiceKernel
import Testing

/// DescribeClientQuotas and AlterClientQuotas over real sockets, in every version the 3.9
/// specs declare: defaults, removal, validate_only, match types and strict filters.
@Suite struct ClientQuotaAdminTests {
    typealias Component = DescribeClientQuotasRequest.Component

    func alter(_ client: KafkaClient, version: Int16, _ entity: [ClientQuotaEntityData], _ ops: [AlterClientQuotasRequest.Op],
               validateOnly: Bool = false) async throws -> AlterClientQuotasResponse.Entry? {
        var request = AlterClientQuotasRequest()
        request.entries = [.init(entity: entity, ops: ops)]
        request.validateOnly = validateOnly
        return try await client.send(request, version: version).entries.first
    }

    func describe(_ client: KafkaClient, version: Int16, _ components: [Component], strict: Bool = false) async throws
        -> DescribeClientQuotasResponse {
        var request = DescribeClientQuotasRequest()
        request.components = components
        request.strict = strict
        return try await client.send(request, version: version)
    }

    static func names(_ response: DescribeClientQuotasResponse) -> [String] {
        (response.entries ?? []).map { entry in entry.entity.map { "\($0.entityType)=\($0.entityName ?? "<default>")" }.joined(separator: ",") }
    }

    @Test(arguments: [Int16(0), 1]) func alterAndDescribeInEveryVersion(version: Int16) async throws {
        try await withServer { server in
            let client = try await server.client()
            let user = ClientQuotaEntityData(entityType: "user", entityName: "alice")
            let defaultClient = ClientQuotaEntityData(entityType: "client-id", entityName: nil)
            let app = ClientQuotaEntityData(entityType: "client-id", entityName: "app")
            #expect(try await alter(client, version: version, [user, defaultClient], [.init(key: "request_percentage", value: 50)])?.errorCode == 0)
            #expect(try await alter(client, version: version, [app], [.init(key: "producer_byte_rate", value: 2048),
                                                                       .init(key: "consumer_byte_rate", value: 4096)])?.errorCode == 0)
            #expect(try await alter(client, version: version, [ClientQuotaEntityData(entityType: "user", entityName: nil)],
                                    [.init(key: "producer_byte_rate", value: 1e6)])?.errorCode == 0)
            let validated = try await alter(client, version: version, [ClientQuotaEntityData(entityType: "client-id", entityName: "never")],
                                            [.init(key: "producer_byte_rate", value: 5)], validateOnly: true)
            #expect(validated?.errorCode == 0)

            let all = try await describe(client, version: version, [])
            #expect(all.errorCode == 0)
            #expect(Set(Self.names(all)) == ["user=alice,client-id=<default>", "client-id=app", "user=<default>"], "validate_only stored nothing")
            let appOnly = try await describe(client, version: version, [Component(entityType: "client-id", matchType: 0, match: "app")], strict: true)
            #expect(Self.names(appOnly) == ["client-id=app"])
            #expect(appOnly.entries?.first?.values.map(\.key) == ["consumer_byte_rate", "producer_byte_rate"])
            #expect(appOnly.entries?.first?.values.map(\.value) == [4096, 2048])
            let anyUser = try await describe(client, version: version, [Component(entityType: "user", matchType: 2)])
            #expect(Set(Self.names(anyUser)) == ["user=alice,client-id=<default>", "user=<default>"])
            let defaultUserStrict = try await describe(client, version: version, [Component(entityType: "user", matchType: 1)], strict: true)
            #expect(Self.names(defaultUserStrict) == ["user=<default>"])
            let defaultClientOnly = try await describe(client, version: version, [Component(entityType: "client-id", matchType: 1)])
            #expect(Self.names(defaultClientOnly) == ["user=alice,client-id=<default>"])

            let bogus = try await alter(client, version: version, [app], [.init(key: "bogus_rate", value: 1)])
            #expect(bogus?.errorCode == KafkaErrorCode.invalidRequest.rawValue && bogus?.errorMessage?.contains("bogus_rate") == true)
            #expect(try await alter(client, version: version, [app], [.init(key: "producer_byte_rate", value: -1)])?.errorCode
                    == KafkaErrorCode.invalidRequest.rawValue)
            #expect(try await alter(client, version: version, [ClientQuotaEntityData(entityType: "ip", entityName: "1.2.3.4")],
                                    [.init(key: "producer_byte_rate", value: 1)])?.errorCode == KafkaErrorCode.invalidRequest.rawValue)
            #expect(try await alter(client, version: version, [], [.init(key: "producer_byte_rate", value: 1)])?.errorCode
                    == KafkaErrorCode.invalidRequest.rawValue)
            let badFilter = try await describe(client, version: version, [Component(entityType: "client-id", matchType: 0)])
            #expect(badFilter.errorCode == KafkaErrorCode.invalidRequest.rawValue && badFilter.entries == nil)

            #expect(try await alter(client, version: version, [app], [.init(key: "consumer_byte_rate", value: 0, remove: true)])?.errorCode == 0)
            let afterRemove = try await describe(client, version: version, [Component(entityType: "client-id", matchType: 0, match: "app")])
            #expect(afterRemove.entries?.first?.values.map(\.key) == ["producer_byte_rate"])
        }
    }
}
