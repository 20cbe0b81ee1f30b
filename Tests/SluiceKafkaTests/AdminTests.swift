import Foundation
@testable import KafkaWire
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

@Suite struct AdminTests {
    func code(of body: () async throws -> Void) async -> KafkaErrorCode? {
        do {
            try await body()
            return nil
        } catch KafkaClientError.broker(let code, _, _) {
            return code
        } catch {
            return .unknownServerError
        }
    }

    @Test func alterConfigsIncrementallyAndWhole() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("cfg", configs: ["retention.ms": "60000", "segment.bytes": "1048576"])
            // Incremental: SET one, DELETE another, the rest stay.
            try await client.alterTopicConfigs("cfg", set: ["max.message.bytes": "2000"], delete: ["segment.bytes"])
            var stored = await server.broker.topic(named: "cfg")?.configs
            #expect(stored == ["retention.ms": "60000", "max.message.bytes": "2000"])
            #expect(await code { try await client.alterTopicConfigs("cfg", set: ["retention.ms": "soon"]) } == .invalidConfig)
            #expect(await code { try await client.alterTopicConfigs("nope", set: ["retention.ms": "1"]) } == .unknownTopicOrPartition)
            try await client.alterTopicConfigs("cfg", set: ["retention.ms": "1"], validateOnly: true)
            stored = await server.broker.topic(named: "cfg")?.configs
            #expect(stored?["retention.ms"] == "60000", "validateOnly changes nothing")

            // APPEND and SUBTRACT edit list configs, starting from the default; other types refuse them.
            typealias Operation = IncrementalAlterConfigsRequest.Operation
            func listChange(_ name: String, _ operation: Int8, _ value: String) -> IncrementalAlterConfigsRequest {
                var request = IncrementalAlterConfigsRequest()
                request.resources = [.init(resourceType: DescribeConfigsRequest.ResourceType.topic, resourceName: "cfg",
                                           configs: [.init(name: name, operation: operation, value: value)])]
                return request
            }
            #expect(try await client.send(listChange("cleanup.policy", Operation.append, "compact")).responses.first?.errorCode == 0)
            #expect(await server.broker.topic(named: "cfg")?.configs["cleanup.policy"] == "delete,compact")
            #expect(try await client.send(listChange("cleanup.policy", Operation.subtract, "delete")).responses.first?.errorCode == 0)
            #expect(await server.broker.topic(named: "cfg")?.configs["cleanup.policy"] == "compact")
            let refusedAppend = try await client.send(listChange("retention.ms", Operation.append, "1")).responses.first
            #expect(refusedAppend?.errorCode == KafkaErrorCode.invalidConfig.rawValue)
            #expect(refusedAppend?.errorMessage?.contains("list configs only") == true)

            // AlterConfigs replaces the whole set of overrides.
            var whole = AlterConfigsRequest()
            var resource = AlterConfigsRequest.Resource()
            resource.resourceType = DescribeConfigsRequest.ResourceType.topic
            resource.resourceName = "cfg"
            var entry = AlterConfigsRequest.Config()
            entry.name = "segment.ms"
            entry.value = "600000"
            resource.configs = [entry]
            whole.resources = [resource]
            #expect(try await client.send(whole).responses.first?.errorCode == 0)
            stored = await server.broker.topic(named: "cfg")?.configs
            #expect(stored == ["segment.ms": "600000"])

            // Broker settings come from plugins.json.
            var brokerChange = IncrementalAlterConfigsRequest()
            brokerChange.resources = [.init(resourceType: DescribeConfigsRequest.ResourceType.broker, resourceName: "",
                                            configs: [.init(name: "log.retention.ms", operation: 0, value: "1")])]
            let refused = try await client.send(brokerChange).responses.first
            #expect(refused?.errorCode == KafkaErrorCode.invalidRequest.rawValue && refused?.errorMessage?.contains("plugins.json") == true)
            await client.close()
        }
    }

    @Test func createDescribeAlterAndDeleteTopics() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("events", partitions: 3, configs: ["retention.ms": "60000"])
            #expect(await code { try await client.createTopic("events") } == .topicAlreadyExists)
            #expect(await code { try await client.createTopic("bad name!") } == .invalidTopic)
            #expect(await code { try await client.createTopic("cfg", configs: ["retention.ms": "soon"]) } == .invalidConfig)
            #expect(await code { try await client.createTopic("cfg", configs: ["no.such.config": "1"]) } == .invalidConfig)
            try await client.createTopic("dry", validateOnly: true)
            #expect(await server.broker.topic(named: "dry") == nil)

            let configs = try await client.describeTopicConfigs("events")
            let retention = try #require(configs.first { $0.name == "retention.ms" })
            #expect(retention.value == "60000" && retention.source == DescribeConfigsResponse.Source.dynamicTopic)
            let maxBytes = try #require(configs.first { $0.name == "max.message.bytes" })
            #expect(maxBytes.value == "1048588" && maxBytes.source == DescribeConfigsResponse.Source.staticBroker)
            #expect(await code { _ = try await client.describeTopicConfigs("nope") } == .unknownTopicOrPartition)

            try await client.createPartitions("events", total: 5)
            #expect(await code { try await client.createPartitions("events", total: 2) } == .invalidPartitions)
            let metadata = try await client.metadata(topics: ["events"])
            #expect(metadata.topics.first?.partitions.count == 5)

            try await client.deleteTopic("events")
            #expect(await code { try await client.deleteTopic("events") } == .unknownTopicOrPartition)
            await client.close()
        }
    }

    @Test func theWholeKafkaCatalogueIsAcceptedAndDescribed() async throws {
        try await withServer { server in
            let client = try await server.client()
            let set = ["delete.retention.ms": "3600000", "min.cleanable.dirty.ratio": "0.2", "compression.type": "zstd",
                       "preallocate": "true", "message.timestamp.difference.max.ms": "60000", "cleanup.policy": "compact,delete",
                       "leader.replication.throttled.replicas": "*", "message.format.version": "2.8"]
            try await client.createTopic("catalogue", configs: set)
            var request = DescribeConfigsRequest()
            request.resources = [.init(resourceType: DescribeConfigsRequest.ResourceType.topic, resourceName: "catalogue")]
            request.includeSynonyms = true
            request.includeDocumentation = true
            let result = try #require(try await client.send(request, version: 4).results.first)
            #expect(result.errorCode == 0)
            let byName = Dictionary(uniqueKeysWithValues: result.configs.map { ($0.name, $0) })
            #expect(Set(byName.keys) == Set(TopicConfigs.known.map(\.name)))
            typealias Source = DescribeConfigsResponse.Source
            typealias ConfigType = DescribeConfigsResponse.ConfigType
            for (name, value) in set {
                #expect(byName[name]?.value == value && byName[name]?.configSource == Source.dynamicTopic, "\(name)")
                #expect(byName[name]?.isDefault == false && byName[name]?.synonyms.first?.source == Source.dynamicTopic)
            }
            let expected: [(String, String?, Int8, Int8)] = [
                ("delete.retention.ms", "3600000", Source.dynamicTopic, ConfigType.long),
                ("min.cleanable.dirty.ratio", "0.2", Source.dynamicTopic, ConfigType.double),
                ("cleanup.policy", "compact,delete", Source.dynamicTopic, ConfigType.list),
                ("preallocate", "true", Source.dynamicTopic, ConfigType.boolean),
                ("compression.type", "zstd", Source.dynamicTopic, ConfigType.string),
                ("file.delete.delay.ms", "60000", Source.default, ConfigType.long),
                ("message.downconversion.enable", "true", Source.default, ConfigType.boolean),
                ("follower.replication.throttled.replicas", "", Source.default, ConfigType.list),
                ("segment.index.bytes", "10485760", Source.default, ConfigType.int),
                ("max.message.bytes", "1048588", Source.staticBroker, ConfigType.int),
                ("retention.ms", nil, Source.staticBroker, ConfigType.long),
            ]
            for (name, value, source, type) in expected {
                let config = try #require(byName[name])
                #expect(value == nil || config.value == value, "\(name) value")
                #expect(config.configSource == source && config.configType == type, "\(name) source and type")
            }
            #expect(byName["delete.retention.ms"]?.synonyms.last?.name == "log.cleaner.delete.retention.ms")
            #expect(byName["preallocate"]?.documentation?.contains("Accepted without effect") == true)
            #expect(byName["retention.ms"]?.documentation?.contains("Applied") == true)

            // CreateTopics refuses a misspelt name with a hint; the topic is not created.
            do {
                try await client.createTopic("typo", configs: ["retention.msx": "1000"])
                Issue.record("a misspelt config must be refused")
            } catch KafkaClientError.broker(let code, let message, _) {
                #expect(code == .invalidConfig)
                #expect(message?.contains("unknown topic config 'retention.msx' (did you mean 'retention.ms'?)") == true)
            }
            #expect(await server.broker.topic(named: "typo") == nil)
            await client.close()
        }
    }

    @Test func replicationFactorAboveOneIsRefused() async throws {
        try await withServer { server in
            let client = try await server.client()
            var topic = CreateTopicsRequest.Topic()
            topic.name = "replicated"
            topic.numPartitions = 1
            topic.replicationFactor = 3
            var request = CreateTopicsRequest()
            request.topics = [topic]
            let response = try await client.send(request)
            #expect(response.topics.first?.errorCode == KafkaErrorCode.invalidReplicationFactor.rawValue)
            #expect(response.topics.first?.errorMessage?.contains("single broker") == true)
            await client.close()
        }
    }

    @Test func brokerConfigsAreReadOnlyStaticSettings() async throws {
        var broker = BrokerConfig()
        broker.messageMaxBytes = 2_000_000
        try await withServer(broker: broker) { server in
            let client = try await server.client()
            let configs = try await client.describeBrokerConfigs(node: "0")
            let maxBytes = try #require(configs.first { $0.name == "message.max.bytes" })
            #expect(maxBytes.value == "2000000" && maxBytes.readOnly)
            #expect(configs.contains { $0.name == "advertised.listeners" && $0.value == "PLAINTEXT://\(server.address)" })
            await client.close()
        }
    }

    @Test func metadataAutoCreatesOnlyWhenAllowed() async throws {
        try await withServer { server in
            let client = try await server.client()
            let refused = try await client.metadata(topics: ["lazy"], allowAutoCreate: false)
            #expect(refused.topics.first?.errorCode == KafkaErrorCode.unknownTopicOrPartition.rawValue)
            let created = try await client.metadata(topics: ["lazy"], allowAutoCreate: true)
            #expect(created.topics.first?.errorCode == 0)
            #expect(created.topics.first?.partitions.first?.leaderId == 0)
            #expect(created.brokers.first?.port == Int32(server.address.port))
            let id = try #require(created.topics.first?.topicId)
            #expect(id != .zero)

            var byId = MetadataRequest()
            byId.topics = [.init(name: nil, topicId: id), .init(name: nil, topicId: UUID())]
            let response = try await client.send(byId, version: 12)
            #expect(response.topics.map(\.name) == [nil, "lazy"] || response.topics.map(\.name) == ["lazy", nil])
            #expect(response.topics.contains { $0.errorCode == KafkaErrorCode.unknownTopicId.rawValue })
            await client.close()
        }
    }

    @Test func metadataV0EmptyListMeansAllTopics() async throws {
        try await withServer { server in
            let client = try await server.client()
            try await client.createTopic("a")
            try await client.createTopic("b")
            var request = MetadataRequest()
            request.topics = []
            #expect(try await client.send(request, version: 0).topics.compactMap(\.name).sorted() == ["a", "b"])
            #expect(try await client.send(request, version: 1).topics.isEmpty)
            await client.close()
        }
    }

    @Test func initProducerIdBumpsTheEpochAndFencesTransactionalProducers() async throws {
        try await withServer { server in
            let client = try await server.client()
            let (pid, epoch) = try await client.initProducerId()
            var bump = InitProducerIdRequest()
            bump.producerId = pid
            bump.producerEpoch = epoch
            let bumped = try await client.send(bump, version: 4)
            #expect(bumped.producerId == pid && bumped.producerEpoch == epoch + 1)
            var transactional = InitProducerIdRequest()
            transactional.transactionalId = "tx"
            #expect(try await client.send(transactional).errorCode == KafkaErrorCode.invalidTransactionTimeout.rawValue,
                    "a transaction timeout of 0 is refused")
            transactional.transactionTimeoutMs = 60_000
            let first = try await client.send(transactional, version: 4)
            #expect(first.errorCode == 0 && first.producerEpoch == 0)
            let second = try await client.send(transactional, version: 4)
            #expect(second.errorCode == 0 && second.producerId == first.producerId && second.producerEpoch == 1)
            transactional.producerId = first.producerId
            transactional.producerEpoch = first.producerEpoch
            let retried = try await client.send(transactional, version: 4)
            #expect(retried.errorCode == 0 && retried.producerEpoch == 1, "a retry with the previous epoch gets the current one (KIP-360)")
            transactional.producerEpoch = 5
            #expect(try await client.send(transactional, version: 4).errorCode == KafkaErrorCode.producerFenced.rawValue)
            #expect(try await client.send(transactional, version: 3).errorCode == KafkaErrorCode.invalidProducerEpoch.rawValue)
            await client.close()
        }
    }
}
