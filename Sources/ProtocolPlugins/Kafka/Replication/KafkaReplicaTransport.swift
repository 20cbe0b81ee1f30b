import KafkaWire
import Logging
import NIOCore
import SluiceKafkaClient
import SluiceKernel

/// The kernel's `ReplicaTransport` over the Kafka protocol: a follower's Fetch (v12, with
/// its broker id as ReplicaId) and OffsetForLeaderEpoch, through one `KafkaClient`
/// connection per leader broker. A failed or timed-out call drops the connection; the
/// next call reconnects.
public actor KafkaReplicaTransport: ReplicaTransport {
    /// Fetch v12: the newest version that names topics (v13+ needs topic ids).
    static let fetchVersion: Int16 = 12
    private let clientId: String
    /// Extra time, beyond a fetch's max wait, before a call is given up, in seconds. Default 10.
    let slack: Duration
    private let logger: Logger
    private var clients: [BrokerEndpoint: KafkaClient] = [:]

    /// - Parameters:
    ///   - clientId: the client id in request headers, e.g. "sluice-replica-1".
    ///   - requestTimeout: how long a call may take beyond the fetch's max wait. Default 10 s.
    public init(clientId: String, requestTimeout: Duration = .seconds(10), logger: Logger) {
        self.clientId = clientId
        self.slack = requestTimeout
        self.logger = logger
    }

    public func fetch(from source: BrokerEndpoint, replicaId: Int32, partitions: [ReplicaFetchPartition],
                      maxWait: Duration, maxBytes: Int) async throws -> [TopicPartition: ReplicaFetchResult] {
        var request = FetchRequest()
        request.replicaId = replicaId
        request.maxWaitMs = Int32(clamping: maxWait.milliseconds)
        request.minBytes = 1
        request.maxBytes = Int32(clamping: maxBytes)
        let byTopic = Dictionary(grouping: partitions, by: \.topicPartition.topic)
        request.topics = byTopic.keys.sorted().map { name in
            var topic = FetchRequest.Topic()
            topic.topic = name
            topic.partitions = byTopic[name]!.map { wanted in
                var partition = FetchRequest.Partition()
                partition.partition = wanted.topicPartition.partition
                partition.fetchOffset = wanted.fetchOffset
                partition.currentLeaderEpoch = wanted.currentLeaderEpoch
                partition.partitionMaxBytes = Int32(clamping: wanted.maxBytes)
                return partition
            }
            return topic
        }
        let fetch = request
        let response = try await call(source, timeout: maxWait + slack) { client in
            try await client.send(fetch, version: Self.fetchVersion)
        }
        if response.errorCode != 0 {
            throw KafkaClientError.broker(KafkaErrorCode(rawValue: response.errorCode), message: nil, context: "replica fetch")
        }
        var results: [TopicPartition: ReplicaFetchResult] = [:]
        for topic in response.responses {
            for partition in topic.partitions {
                let records = try partition.records?.load() ?? ByteBuffer()
                results[TopicPartition(topic.topic, partition.partitionIndex)] = ReplicaFetchResult(
                    records: records, highWatermark: partition.highWatermark, logStartOffset: partition.logStartOffset,
                    error: Self.partitionError(partition.errorCode))
            }
        }
        return results
    }

    public func offsetForLeaderEpoch(from source: BrokerEndpoint, replicaId: Int32,
                                     partitions: [LeaderEpochQuery]) async throws -> [TopicPartition: LeaderEpochAnswer] {
        var request = OffsetForLeaderEpochRequest()
        request.replicaId = replicaId
        let byTopic = Dictionary(grouping: partitions, by: \.topicPartition.topic)
        request.topics = byTopic.keys.sorted().map { name in
            .init(topic: name, partitions: byTopic[name]!.map {
                .init(partition: $0.topicPartition.partition, currentLeaderEpoch: $0.currentLeaderEpoch, leaderEpoch: $0.leaderEpoch)
            })
        }
        let lookup = request
        let response = try await call(source, timeout: slack) { client in try await client.send(lookup) }
        var answers: [TopicPartition: LeaderEpochAnswer] = [:]
        for topic in response.topics {
            for partition in topic.partitions {
                answers[TopicPartition(topic.topic, partition.partition)] = LeaderEpochAnswer(
                    leaderEpoch: partition.leaderEpoch, endOffset: partition.endOffset, error: Self.partitionError(partition.errorCode))
            }
        }
        return answers
    }

    public func controlledShutdown(controller: BrokerEndpoint, brokerId: Int32) async throws -> [TopicPartition] {
        var request = ControlledShutdownRequest()
        request.brokerId = brokerId
        let ask = request
        let response = try await call(controller, timeout: slack) { client in try await client.send(ask, version: 3) }
        if response.errorCode != 0 {
            throw KafkaClientError.broker(KafkaErrorCode(rawValue: response.errorCode), message: nil,
                                          context: "controlled shutdown of broker \(brokerId) at broker \(controller.id)")
        }
        return response.remainingPartitions.map { TopicPartition($0.topicName, $0.partitionIndex) }
    }

    public func close() async {
        for client in clients.values { await client.close() }
        clients.removeAll()
    }

    /// Runs `body` on the connection to `source` (connecting if needed), giving up after
    /// `timeout`; any failure drops the connection.
    func call<T: Sendable>(_ source: BrokerEndpoint, timeout: Duration,
                                   _ body: @escaping @Sendable (KafkaClient) async throws -> T) async throws -> T {
        let client: KafkaClient
        if let existing = clients[source] {
            client = existing
        } else {
            client = try await KafkaClient.connect(host: source.host, port: Int(source.port), clientId: clientId)
            clients[source] = client
            logger.debug("connected to broker", metadata: ["remoteBroker": "\(source.id)", "address": "\(source.host):\(source.port)"])
        }
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body(client) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else {
                    throw KafkaClientError.connectionLost(reason: "broker \(source.id) did not answer within \(timeout)")
                }
                return value
            }
        } catch {
            if clients[source] === client { clients.removeValue(forKey: source) }
            await client.close()
            throw error
        }
    }

    static func partitionError(_ code: Int16) -> ReplicaPartitionError? {
        switch KafkaErrorCode(rawValue: code) {
        case .none: nil
        case .notLeaderOrFollower: .notLeaderOrFollower
        case .fencedLeaderEpoch: .fencedLeaderEpoch
        case .unknownLeaderEpoch: .unknownLeaderEpoch
        case .offsetOutOfRange: .offsetOutOfRange
        case .unknownTopicOrPartition: .unknownTopicOrPartition
        case let other: .other(code: code, name: other.name)
        }
    }
}

extension KafkaReplicaTransport: ReplicaTransportFactory {
    /// A transport with the default request timeout (10 s beyond a fetch's max wait).
    public static func makeReplicaTransport(clientId: String, logger: Logger) -> any ReplicaTransport {
        KafkaReplicaTransport(clientId: clientId, logger: logger)
    }
}
