import KafkaWire

/// A config as DescribeConfigs reports it.
public struct DescribedConfig: Sendable, Equatable {
    /// The config key, e.g. "retention.ms".
    public var name: String
    /// The effective value; nil for sensitive or unset values.
    public var value: String?
    /// Kafka's `ConfigSource` (see `DescribeConfigsResponse.Source`).
    public var source: Int8
    /// True for broker settings, which come from plugins.json.
    public var readOnly: Bool
}

extension KafkaClient {
    /// Creates a topic.
    /// - Parameters:
    ///   - partitions: the partition count; nil for the broker's default.
    ///   - configs: topic config overrides, e.g. `["retention.ms": "3600000"]`.
    ///   - validateOnly: only check that it could be created.
    public func createTopic(_ name: String, partitions: Int32? = nil, replicationFactor: Int16? = nil,
                            configs: [String: String] = [:], validateOnly: Bool = false) async throws {
        var topic = CreateTopicsRequest.Topic()
        topic.name = name
        topic.numPartitions = partitions ?? -1
        topic.replicationFactor = replicationFactor ?? -1
        topic.configs = configs.sorted { $0.key < $1.key }.map { CreateTopicsRequest.Config(name: $0.key, value: $0.value) }
        var request = CreateTopicsRequest()
        request.topics = [topic]
        request.validateOnly = validateOnly
        let response = try await send(request)
        guard let result = response.topics.first else { throw KafkaClientError.unexpectedResponse }
        try Self.check(result.errorCode, result.errorMessage, "create topic '\(name)'")
    }

    /// Deletes a topic and its data.
    public func deleteTopic(_ name: String) async throws {
        var request = DeleteTopicsRequest()
        request.topicNames = [name]
        request.topics = [DeleteTopicsRequest.Topic(name: name)]
        request.timeoutMs = 30_000
        let response = try await send(request)
        guard let result = response.responses.first else { throw KafkaClientError.unexpectedResponse }
        try Self.check(result.errorCode, result.errorMessage, "delete topic '\(name)'")
    }

    /// Raises a topic's partition count to `total`.
    public func createPartitions(_ name: String, total: Int32, validateOnly: Bool = false) async throws {
        var topic = CreatePartitionsRequest.Topic()
        topic.name = name
        topic.count = total
        var request = CreatePartitionsRequest()
        request.topics = [topic]
        request.timeoutMs = 30_000
        request.validateOnly = validateOnly
        let response = try await send(request)
        guard let result = response.results.first else { throw KafkaClientError.unexpectedResponse }
        try Self.check(result.errorCode, result.errorMessage, "create partitions of '\(name)'")
    }

    /// Changes topic config overrides with IncrementalAlterConfigs: each key in `set` gets
    /// its value, each key in `delete` returns to its default; other overrides stay.
    public func alterTopicConfigs(_ name: String, set: [String: String], delete: [String] = [],
                                  validateOnly: Bool = false) async throws {
        typealias Request = IncrementalAlterConfigsRequest
        var configs = set.sorted { $0.key < $1.key }.map { Request.Config(name: $0.key, operation: Request.Operation.set, value: $0.value) }
        configs += delete.sorted().map { Request.Config(name: $0, operation: Request.Operation.delete, value: nil) }
        var request = Request()
        request.resources = [.init(resourceType: DescribeConfigsRequest.ResourceType.topic, resourceName: name, configs: configs)]
        request.validateOnly = validateOnly
        let response = try await send(request)
        guard let result = response.responses.first else { throw KafkaClientError.unexpectedResponse }
        try Self.check(result.errorCode, result.errorMessage, "alter configs of '\(name)'")
    }

    /// A topic's configs with their values and sources.
    public func describeTopicConfigs(_ name: String) async throws -> [DescribedConfig] {
        try await describeConfigs(type: DescribeConfigsRequest.ResourceType.topic, name: name)
    }

    /// The broker's configs (`node`: its id as a string, or "" for the cluster default).
    public func describeBrokerConfigs(node: String = "") async throws -> [DescribedConfig] {
        try await describeConfigs(type: DescribeConfigsRequest.ResourceType.broker, name: node)
    }

    private func describeConfigs(type: Int8, name: String) async throws -> [DescribedConfig] {
        var request = DescribeConfigsRequest()
        request.resources = [.init(resourceType: type, resourceName: name)]
        let response = try await send(request)
        guard let result = response.results.first else { throw KafkaClientError.unexpectedResponse }
        try Self.check(result.errorCode, result.errorMessage, "describe configs of '\(name)'")
        return result.configs.map {
            DescribedConfig(name: $0.name, value: $0.value, source: $0.configSource, readOnly: $0.readOnly)
        }
    }
}
