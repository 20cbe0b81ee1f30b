import KafkaWire

/// One log directory as DescribeLogDirs reports it.
public struct DescribedLogDir: Sendable, Equatable {
    /// The directory's absolute path (`memory` for storage without files).
    public var path: String
    /// Size in bytes of each partition stored there.
    public var partitionSizes: [String: [Int32: Int64]]
    /// File system size and usable bytes (v4; -1 when unknown).
    public var totalBytes: Int64
    public var usableBytes: Int64
}

/// The cluster as DescribeCluster reports it.
public struct DescribedCluster: Sendable, Equatable {
    public var clusterId: String
    public var controllerId: Int32
    /// Live brokers: id, host and port.
    public var brokers: [(id: Int32, host: String, port: Int32)]

    public static func == (lhs: DescribedCluster, rhs: DescribedCluster) -> Bool {
        lhs.clusterId == rhs.clusterId && lhs.controllerId == rhs.controllerId
            && lhs.brokers.map(\.id) == rhs.brokers.map(\.id) && lhs.brokers.map(\.host) == rhs.brokers.map(\.host)
            && lhs.brokers.map(\.port) == rhs.brokers.map(\.port)
    }
}

extension KafkaClient {
    /// Deletes the records before `offset` (-1: the high watermark) in each partition
    /// (Kafka's DeleteRecords, sent to this connection's broker, which must lead them).
    /// Returns each partition's new low watermark; a refused partition throws.
    public func deleteRecords(topic: String, before offsets: [Int32: Int64]) async throws -> [Int32: Int64] {
        var request = DeleteRecordsRequest()
        request.topics = [DeleteRecordsRequest.Topic(name: topic, partitions: offsets.sorted { $0.key < $1.key }.map {
            DeleteRecordsRequest.Partition(partitionIndex: $0.key, offset: $0.value)
        })]
        request.timeoutMs = 30_000
        let response = try await send(request)
        var result: [Int32: Int64] = [:]
        for partition in response.topics.first?.partitions ?? [] {
            try Self.check(partition.errorCode, nil, "delete records of \(topic)-\(partition.partitionIndex)")
            result[partition.partitionIndex] = partition.lowWatermark
        }
        guard result.count == offsets.count else { throw KafkaClientError.unexpectedResponse }
        return result
    }

    /// The broker's log directories with the size of each partition in them.
    public func describeLogDirs() async throws -> [DescribedLogDir] {
        let response = try await send(DescribeLogDirsRequest())
        try Self.check(response.errorCode, nil, "describe log dirs")
        return try response.results.map { result in
            try Self.check(result.errorCode, nil, "describe log dir \(result.logDir)")
            var sizes: [String: [Int32: Int64]] = [:]
            for topic in result.topics {
                for partition in topic.partitions { sizes[topic.name, default: [:]][partition.partitionIndex] = partition.partitionSize }
            }
            return DescribedLogDir(path: result.logDir, partitionSizes: sizes, totalBytes: result.totalBytes, usableBytes: result.usableBytes)
        }
    }

    /// Cluster id, controller and live brokers.
    public func describeCluster() async throws -> DescribedCluster {
        let response = try await send(DescribeClusterRequest())
        try Self.check(response.errorCode, response.errorMessage, "describe cluster")
        return DescribedCluster(clusterId: response.clusterId, controllerId: response.controllerId,
                                brokers: response.brokers.map { ($0.brokerId, $0.host, $0.port) })
    }
}
