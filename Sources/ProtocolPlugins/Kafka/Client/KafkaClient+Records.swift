import KafkaWire
import NIOCore
import SluiceKernel

/// What a fetch of one partition returned.
public struct FetchedPartition: Sendable {
    /// The record batches as stored (compressed ones stay compressed).
    public var batches: ByteBuffer
    /// The offset after the last readable record.
    public var highWatermark: Int64
    /// The first offset still stored.
    public var logStartOffset: Int64
    /// The isolation level the fetch asked for.
    public var isolationLevel: IsolationLevel = .readUncommitted
    /// The offset below which every transaction is decided; -1 when the broker did not say.
    public var lastStableOffset: Int64 = -1
    /// The aborted transactions overlapping the returned batches (read_committed only).
    public var abortedTransactions: [AbortedTransaction] = []

    public init(batches: ByteBuffer, highWatermark: Int64, logStartOffset: Int64, isolationLevel: IsolationLevel = .readUncommitted,
                lastStableOffset: Int64 = -1, abortedTransactions: [AbortedTransaction] = []) {
        self.batches = batches
        self.highWatermark = highWatermark
        self.logStartOffset = logStartOffset
        self.isolationLevel = isolationLevel
        self.lastStableOffset = lastStableOffset
        self.abortedTransactions = abortedTransactions
    }

    /// The records of the uncompressed batches (compressed batches need a decompressor:
    /// see `RecordBatch.records(decompressing:)`).
    public func records() throws -> [Record] {
        try RecordBatch.parse(batches, verifyCRC: true).flatMap { try $0.records() }
    }
}

extension KafkaClient {
    /// Cluster metadata for `topics` (nil: every topic), auto-creating missing ones when
    /// `allowAutoCreate` and the broker allows it.
    public func metadata(topics: [String]?, allowAutoCreate: Bool = false) async throws -> MetadataResponse {
        var request = MetadataRequest()
        request.topics = topics?.map { MetadataRequest.Topic(name: $0) }
        request.allowAutoTopicCreation = allowAutoCreate
        return try await send(request)
    }

    /// Appends record batches (Kafka v2 format, e.g. from `RecordBatchBuilder`) to one
    /// partition and returns the base offset.
    /// - Parameters:
    ///   - acks: -1 (all, default), 1 (leader) or 0 (no response; returns -1).
    ///   - timeoutMs: how long the broker may wait for acknowledgements. Default 30000.
    @discardableResult
    public func produce(topic: String, partition: Int32, batches: ByteBuffer, acks: Int16 = -1,
                        timeoutMs: Int32 = 30_000) async throws -> Int64 {
        var data = ProduceRequest.Partition()
        data.index = partition
        data.records = .bytes(batches)
        var topicData = ProduceRequest.Topic()
        topicData.name = topic
        topicData.partitionData = [data]
        var request = ProduceRequest()
        request.acks = acks
        request.timeoutMs = timeoutMs
        request.topicData = [topicData]
        guard acks != 0 else {
            try await sendWithoutResponse(request)
            return -1
        }
        let response = try await send(request)
        guard let result = response.responses.first?.partitionResponses.first else { throw KafkaClientError.unexpectedResponse }
        try Self.check(result.errorCode, result.errorMessage, "produce to \(topic)-\(partition)")
        return result.baseOffset
    }

    /// Appends records as one uncompressed batch and returns the first record's offset.
    @discardableResult
    public func produce(topic: String, partition: Int32, records: [Record], acks: Int16 = -1) async throws -> Int64 {
        try await produce(topic: topic, partition: partition, batches: RecordBatchBuilder().build(records).buffer, acks: acks)
    }

    /// Reads one partition from `offset`, waiting up to `maxWaitMs` for `minBytes`.
    /// - Parameters:
    ///   - maxBytes: bytes at most (the first batch is returned even if larger). Default 1 MiB.
    ///   - maxWaitMs: milliseconds to wait for data. Default 500.
    ///   - minBytes: bytes to wait for. Default 1.
    ///   - replicaId: -1 (a consumer, default), or -2 to read any replica of a cluster up to
    ///     its high watermark, as Kafka's debugging consumer (replica verification) does.
    ///   - isolationLevel: read_uncommitted (default) reads up to the high watermark;
    ///     read_committed up to the last stable offset, with the aborted transactions listed
    ///     (`FetchedPartition.visibleBatches()` applies them).
    public func fetch(topic: String, partition: Int32, offset: Int64, maxBytes: Int32 = 1 << 20,
                      maxWaitMs: Int32 = 500, minBytes: Int32 = 1, replicaId: Int32 = -1,
                      isolationLevel: IsolationLevel = .readUncommitted) async throws -> FetchedPartition {
        var spec = FetchRequest.Partition()
        spec.partition = partition
        spec.fetchOffset = offset
        spec.partitionMaxBytes = maxBytes
        var topicSpec = FetchRequest.Topic()
        topicSpec.topic = topic
        topicSpec.partitions = [spec]
        var request = FetchRequest()
        request.replicaId = replicaId
        request.maxWaitMs = maxWaitMs
        request.minBytes = minBytes
        request.maxBytes = maxBytes
        request.isolationLevel = isolationLevel.rawValue
        request.topics = [topicSpec]
        // Name-based fetch: v13+ address topics by id.
        let response = try await send(request, version: min(try version(for: FetchRequest.self), 12))
        guard let result = response.responses.first?.partitions.first else { throw KafkaClientError.unexpectedResponse }
        try Self.check(result.errorCode, nil, "fetch \(topic)-\(partition) at offset \(offset)")
        return FetchedPartition(batches: try result.records?.load() ?? ByteBuffer(), highWatermark: result.highWatermark,
                                logStartOffset: result.logStartOffset, isolationLevel: isolationLevel,
                                lastStableOffset: result.lastStableOffset,
                                abortedTransactions: (result.abortedTransactions ?? []).map {
                                    AbortedTransaction(producerId: $0.producerId, firstOffset: $0.firstOffset)
                                })
    }

    /// An offset of one partition: earliest, latest, max timestamp, or the first record at
    /// or after a timestamp (offset -1 when there is none). With read_committed, "latest"
    /// is the last stable offset.
    public func listOffset(topic: String, partition: Int32, _ spec: OffsetSpec,
                           isolationLevel: IsolationLevel = .readUncommitted) async throws -> (offset: Int64, timestamp: Int64) {
        var query = ListOffsetsRequest.Partition()
        query.partitionIndex = partition
        switch spec {
        case .earliest: query.timestamp = ListOffsetsRequest.SpecialTimestamp.earliest
        case .latest, .lastStable: query.timestamp = ListOffsetsRequest.SpecialTimestamp.latest
        case .maxTimestamp: query.timestamp = ListOffsetsRequest.SpecialTimestamp.maxTimestamp
        case .timestamp(let time): query.timestamp = time
        }
        var topicQuery = ListOffsetsRequest.Topic()
        topicQuery.name = topic
        topicQuery.partitions = [query]
        var request = ListOffsetsRequest()
        request.isolationLevel = isolationLevel.rawValue
        request.topics = [topicQuery]
        if spec == .lastStable { request.isolationLevel = 1 }
        let response = try await send(request)
        guard let result = response.topics.first?.partitions.first else { throw KafkaClientError.unexpectedResponse }
        try Self.check(result.errorCode, nil, "list offsets of \(topic)-\(partition)")
        return (result.offset, result.timestamp)
    }

    /// A producer id and epoch for idempotent produce.
    public func initProducerId() async throws -> (producerId: Int64, epoch: Int16) {
        let response = try await send(InitProducerIdRequest())
        try Self.check(response.errorCode, nil, "init producer id")
        return (response.producerId, response.producerEpoch)
    }

    static func check(_ code: Int16, _ message: String?, _ context: String) throws(KafkaClientError) {
        guard code != 0 else { return }
        throw .broker(KafkaErrorCode(rawValue: code), message: message, context: context)
    }
}
