import KafkaWire
import SluiceKernel

/// Which records a fetch or an offset lookup may see (Kafka's `isolation.level`).
public enum IsolationLevel: Int8, Sendable, CaseIterable {
    /// Every record up to the high watermark, aborted ones included (Kafka's default).
    case readUncommitted = 0
    /// Records up to the last stable offset, with the aborted transactions listed so that
    /// their records can be skipped.
    case readCommitted = 1
}

/// One transaction as ListTransactions reports it.
public struct TransactionListing: Sendable, Equatable {
    public var transactionalId: String
    public var producerId: Int64
    /// Kafka's state name, e.g. "Ongoing", "PrepareCommit", "CompleteAbort".
    public var state: String
}

/// One transactional id as DescribeTransactions reports it.
public struct TransactionDescription: Sendable, Equatable {
    public var transactionalId: String
    public var state: String
    /// The transaction timeout, in milliseconds.
    public var timeoutMs: Int32
    /// When the ongoing transaction started, in milliseconds since the epoch; -1 when none.
    public var startTimeMs: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    /// The partitions in the transaction, by topic.
    public var partitions: [String: [Int32]]
}

extension KafkaClient {
    /// The transaction coordinator of `transactionalId` (FindCoordinator, key type 1).
    public func findTransactionCoordinator(_ transactionalId: String) async throws -> (nodeId: Int32, address: HostPort) {
        var request = FindCoordinatorRequest()
        request.key = transactionalId
        request.keyType = FindCoordinatorRequest.KeyType.transaction
        request.coordinatorKeys = [transactionalId]
        let response = try await send(request)
        if let entry = response.coordinators.first {
            try Self.check(entry.errorCode, entry.errorMessage, "find the transaction coordinator of '\(transactionalId)'")
            return (entry.nodeId, HostPort(host: entry.host, port: Int(entry.port)))
        }
        try Self.check(response.errorCode, response.errorMessage, "find the transaction coordinator of '\(transactionalId)'")
        return (response.nodeId, HostPort(host: response.host, port: Int(response.port)))
    }

    /// A producer id and epoch for a transactional producer: a new epoch for
    /// `transactionalId`, fencing any earlier producer that used it.
    /// - Parameter timeoutMs: the transaction timeout in milliseconds. Default 60000.
    public func initProducerId(transactionalId: String, timeoutMs: Int32 = 60_000) async throws -> (producerId: Int64, epoch: Int16) {
        var request = InitProducerIdRequest()
        request.transactionalId = transactionalId
        request.transactionTimeoutMs = timeoutMs
        let response = try await send(request)
        try Self.check(response.errorCode, nil, "init producer id for transactional id '\(transactionalId)'")
        return (response.producerId, response.producerEpoch)
    }

    /// Adds partitions to the producer's ongoing transaction (AddPartitionsToTxn v0–3, as
    /// clients send it); the first failing partition's error is thrown.
    public func addPartitionsToTxn(transactionalId: String, producerId: Int64, epoch: Int16,
                                   partitions: [String: [Int32]]) async throws {
        var request = AddPartitionsToTxnRequest()
        request.v3AndBelowTransactionalId = transactionalId
        request.v3AndBelowProducerId = producerId
        request.v3AndBelowProducerEpoch = epoch
        request.v3AndBelowTopics = partitions.sorted { $0.key < $1.key }.map { .init(name: $0.key, partitions: $0.value) }
        let version = min(try version(for: AddPartitionsToTxnRequest.self), 3)
        let response = try await send(request, version: version)
        for topic in response.resultsByTopicV3AndBelow {
            for result in topic.resultsByPartition {
                try Self.check(result.partitionErrorCode, nil, "add \(topic.name)-\(result.partitionIndex) to transaction '\(transactionalId)'")
            }
        }
    }

    /// Adds `groupId`'s offsets to the ongoing transaction (before `txnOffsetCommit`).
    public func addOffsetsToTxn(transactionalId: String, producerId: Int64, epoch: Int16, groupId: String) async throws {
        var request = AddOffsetsToTxnRequest()
        request.transactionalId = transactionalId
        request.producerId = producerId
        request.producerEpoch = epoch
        request.groupId = groupId
        let response = try await send(request)
        try Self.check(response.errorCode, nil, "add offsets of group '\(groupId)' to transaction '\(transactionalId)'")
    }

    /// Stages a group's offsets in the transaction (sent to the group's coordinator).
    /// - Parameter offsets: the next offset to consume, by topic and partition.
    public func txnOffsetCommit(transactionalId: String, producerId: Int64, epoch: Int16, groupId: String,
                                offsets: [String: [Int32: Int64]]) async throws {
        var request = TxnOffsetCommitRequest()
        request.transactionalId = transactionalId
        request.groupId = groupId
        request.producerId = producerId
        request.producerEpoch = epoch
        request.topics = offsets.sorted { $0.key < $1.key }.map { topic, partitions in
            .init(name: topic, partitions: partitions.sorted { $0.key < $1.key }.map { .init(partitionIndex: $0.key, committedOffset: $0.value) })
        }
        let response = try await send(request)
        for topic in response.topics {
            for partition in topic.partitions {
                try Self.check(partition.errorCode, nil, "commit offset of \(topic.name)-\(partition.partitionIndex) in transaction '\(transactionalId)'")
            }
        }
    }

    /// Commits (`commit` true) or aborts the producer's ongoing transaction.
    public func endTxn(transactionalId: String, producerId: Int64, epoch: Int16, commit: Bool) async throws {
        var request = EndTxnRequest()
        request.transactionalId = transactionalId
        request.producerId = producerId
        request.producerEpoch = epoch
        request.committed = commit
        let response = try await send(request)
        try Self.check(response.errorCode, nil, "\(commit ? "commit" : "abort") transaction '\(transactionalId)'")
    }

    /// The transactions this broker coordinates.
    /// - Parameters:
    ///   - states: only these states (e.g. ["Ongoing"]); empty for all.
    ///   - producerIds: only these producer ids; empty for all.
    ///   - minDurationMs: only transactions running longer than this, in milliseconds
    ///     (needs ListTransactions v1); nil for all.
    public func listTransactions(states: [String] = [], producerIds: [Int64] = [],
                                 minDurationMs: Int64? = nil) async throws -> [TransactionListing] {
        var request = ListTransactionsRequest()
        request.stateFilters = states
        request.producerIdFilters = producerIds
        request.durationFilter = minDurationMs ?? -1
        let negotiated = try version(for: ListTransactionsRequest.self)
        if minDurationMs != nil && negotiated < 1 {
            throw KafkaClientError.unsupportedApi(.listTransactions, broker: brokerVersions[.listTransactions])
        }
        let response = try await send(request, version: negotiated)
        try Self.check(response.errorCode, nil, "list transactions")
        return response.transactionStates.map {
            TransactionListing(transactionalId: $0.transactionalId, producerId: $0.producerId, state: $0.transactionState)
        }
    }

    /// The state of each transactional id; an unknown id throws TRANSACTIONAL_ID_NOT_FOUND.
    public func describeTransactions(_ transactionalIds: [String]) async throws -> [TransactionDescription] {
        var request = DescribeTransactionsRequest()
        request.transactionalIds = transactionalIds
        let response = try await send(request)
        return try response.transactionStates.map { state in
            try Self.check(state.errorCode, nil, "describe transaction '\(state.transactionalId)'")
            var partitions: [String: [Int32]] = [:]
            for topic in state.topics { partitions[topic.topic, default: []] += topic.partitions }
            return TransactionDescription(transactionalId: state.transactionalId, state: state.transactionState,
                                          timeoutMs: state.transactionTimeoutMs, startTimeMs: state.transactionStartTimeMs,
                                          producerId: state.producerId, producerEpoch: state.producerEpoch, partitions: partitions)
        }
    }

    /// The producers a partition leader holds state for, by partition.
    public func describeProducers(topic: String, partitions: [Int32]) async throws -> [Int32: [DescribeProducersResponse.ProducerState]] {
        var request = DescribeProducersRequest()
        request.topics = [.init(name: topic, partitionIndexes: partitions)]
        let response = try await send(request)
        var result: [Int32: [DescribeProducersResponse.ProducerState]] = [:]
        for entry in response.topics {
            for partition in entry.partitions {
                try Self.check(partition.errorCode, partition.errorMessage, "describe producers of \(entry.name)-\(partition.partitionIndex)")
                result[partition.partitionIndex] = partition.activeProducers
            }
        }
        return result
    }
}

extension FetchedPartition {
    /// The data batches a read_committed consumer delivers: control batches and the
    /// batches of aborted transactions removed, using the fetch's aborted-transaction list
    /// as Kafka's consumers do (a producer's batches are skipped from its aborted
    /// transaction's first offset until its abort marker). With read_uncommitted, every
    /// data batch.
    public func visibleBatches() throws -> [RecordBatch] {
        let batches = try RecordBatch.parse(self.batches, verifyCRC: true)
        guard isolationLevel == .readCommitted else { return batches.filter { !$0.isControl } }
        var pending = abortedTransactions.sorted { $0.firstOffset < $1.firstOffset }[...]
        var aborting = Set<Int64>()
        var visible: [RecordBatch] = []
        for batch in batches {
            while let next = pending.first, next.firstOffset <= batch.lastOffset {
                aborting.insert(next.producerId)
                pending.removeFirst()
            }
            if batch.isControl {
                if aborting.contains(batch.producerId), (try? batch.records().first?.key.map { ControlRecordType(key: $0) }) == .abort {
                    aborting.remove(batch.producerId)
                }
                continue
            }
            if batch.isTransactional && aborting.contains(batch.producerId) { continue }
            visible.append(batch)
        }
        return visible
    }
}

/// The type in a control record's key (version int16, type int16): 0 abort, 1 commit.
enum ControlRecordType: Equatable {
    case abort, commit, unknown

    init(key: some Sequence<UInt8>) {
        let bytes = Array(key)
        guard bytes.count >= 4 else { self = .unknown; return }
        switch Int16(bytes[2]) << 8 | Int16(bytes[3]) {
        case 0: self = .abort
        case 1: self = .commit
        default: self = .unknown
        }
    }
}
