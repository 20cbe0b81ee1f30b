@testable import KafkaWire
import Logging
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import SluiceMemory
import Testing

/// The APIs that arrived beside the ACL work check the authorizer too: ElectLeaders needs
/// Alter on the cluster, DescribeProducers Read on the topic, the user SCRAM APIs Alter and
/// Describe on the cluster. An anonymous client on a server with no ACLs (and
/// allowEveryoneIfNoAclFound off) is refused each, and nothing changes.
@Suite struct LateApiAuthorizationTests {
    static func withDenyingServer(_ body: (TestServer, MemoryMetadataStore) async throws -> Void) async throws {
        let acls = AclAuthorizer(store: nil, configuration: .init(allowEveryoneIfNoAclFound: false), logger: Logger(label: "acl"))
        let store = MemoryMetadataStore()
        let server = try await TestServer.start(metadata: store, authorizer: acls)
        do { try await body(server, store); await server.stop() } catch { await server.stop(); throw error }
    }

    @Test func electLeadersNeedsAlterOnTheCluster() async throws {
        try await Self.withDenyingServer { server, store in
            try await server.broker.createTopic("t", partitions: 1)
            let client = try await server.client()
            var request = ElectLeadersRequest()
            request.electionType = 0
            request.topicPartitions = [.init(topic: "t", partitions: [0])]
            let response = try await client.send(request, version: 2)
            #expect(response.errorCode == KafkaErrorCode.clusterAuthorizationFailed.rawValue)
            #expect(response.replicaElectionResults.flatMap(\.partitionResult).map(\.errorCode)
                    == [KafkaErrorCode.clusterAuthorizationFailed.rawValue])
            await client.close()
        }
    }

    @Test func describeProducersNeedsReadOnTheTopic() async throws {
        try await Self.withDenyingServer { server, store in
            try await server.broker.createTopic("t", partitions: 2)
            let client = try await server.client()
            var request = DescribeProducersRequest()
            request.topics = [.init(name: "t", partitionIndexes: [0, 1])]
            let response = try await client.send(request)
            #expect(response.topics.flatMap(\.partitions).map(\.errorCode)
                    == Array(repeating: KafkaErrorCode.topicAuthorizationFailed.rawValue, count: 2))
            await client.close()
        }
    }

    @Test func userScramApisNeedTheClusterAndChangeNothing() async throws {
        try await Self.withDenyingServer { server, store in
            let client = try await server.client()
            var alter = AlterUserScramCredentialsRequest()
            var upsert = AlterUserScramCredentialsRequest.Upsertion()
            upsert.name = "mallory"
            upsert.mechanism = 2
            upsert.iterations = 4096
            upsert.salt = ByteBuffer(repeating: 1, count: 16)
            upsert.saltedPassword = ByteBuffer(repeating: 2, count: 64)
            alter.upsertions = [upsert]
            let altered = try await client.send(alter)
            #expect(altered.results.map(\.errorCode) == [KafkaErrorCode.clusterAuthorizationFailed.rawValue])
            let describe = try await client.send(DescribeUserScramCredentialsRequest())
            #expect(describe.errorCode == KafkaErrorCode.clusterAuthorizationFailed.rawValue)
            #expect(try await store.scramUsers().isEmpty, "no user was stored")
            await client.close()
        }
    }
}
