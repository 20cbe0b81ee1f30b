@testable import KafkaWire
import NIOCore
import Testing

/// The transaction APIs' declarations (issue 25): versions as Kafka 3.9's specs declare
/// them, every version of every message survives encode → decode → encode, populated
/// messages decode to what was encoded at the newest version, and a few encodings are
/// checked byte by byte against the layout the specs give.
@Suite struct TransactionMessagesTests {
    static let requests: [any KafkaRequest.Type] = [
        AddPartitionsToTxnRequest.self, AddOffsetsToTxnRequest.self, EndTxnRequest.self,
        WriteTxnMarkersRequest.self, TxnOffsetCommitRequest.self, DescribeProducersRequest.self,
        DescribeTransactionsRequest.self, ListTransactionsRequest.self, InitProducerIdRequest.self,
    ]

    func bytes(_ writer: WireWriter) -> [UInt8] {
        writer.parts.flatMap { part -> [UInt8] in
            guard case .bytes(let buffer) = part else { return [] }
            return Array(buffer.readableBytesView)
        }
    }

    /// Checks one message in every version of `R`; the decoded value must equal `message`
    /// at `equalAt` (default: the newest version). Returns the value decoded at each version.
    @discardableResult
    func roundTrip<R: KafkaRequest, M: KafkaStruct>(_ message: M, as request: R.Type, equalAt: Int16? = nil) throws -> [Int16: M] {
        let range = R.validVersions.closedRange!
        var decodedByVersion: [Int16: M] = [:]
        for version in range {
            let flexible = R.isFlexible(version)
            let first = bytes(message.encoded(version: version, flexible: flexible))
            var reader = WireReader(ByteBuffer(bytes: first))
            let decoded = try M.decode(from: &reader, version: version, flexible: flexible)
            #expect(reader.remaining == 0, "\(M.self) v\(version)")
            #expect(bytes(decoded.encoded(version: version, flexible: flexible)) == first, "\(M.self) v\(version)")
            if version == (equalAt ?? range.upperBound) { #expect(decoded == message, "\(M.self) v\(version)") }
            decodedByVersion[version] = decoded
        }
        return decodedByVersion
    }

    @Test func declaredVersionsMatchTheKafka39Specs() {
        let expected: [Int16: (String, String)] = [
            24: ("0-5", "3+"), 25: ("0-4", "3+"), 26: ("0-4", "3+"), 27: ("0-1", "1+"), 28: ("0-4", "3+"),
            61: ("0", "0+"), 65: ("0", "0+"), 66: ("0-1", "0+"), 22: ("0-5", "2+"),
        ]
        for request in Self.requests {
            let spec = expected[request.apiKey.rawValue]
            #expect(spec != nil, "\(request.apiKey)")
            #expect(request.validVersions.description == spec?.0, "\(request.apiKey)")
            #expect(request.flexibleVersions.description == spec?.1, "\(request.apiKey)")
        }
        #expect(ApiKey.addPartitionsToTxn.name == "AddPartitionsToTxn")
        #expect(ApiKey.listTransactions.name == "ListTransactions")
        #expect(KafkaErrorCode.producerFenced.name == "PRODUCER_FENCED")
        #expect(KafkaErrorCode.concurrentTransactions.name == "CONCURRENT_TRANSACTIONS")
        #expect(KafkaErrorCode.transactionAbortable.name == "TRANSACTION_ABORTABLE")
    }

    @Test func declaredListsNameEachApiOnce() {
        let keys = (DeclaredRequests.all + DeclaredRequests.awaitingRoutes).map { $0.apiKey }
        #expect(Set(keys).count == keys.count)
        for request in Self.requests {
            #expect(keys.contains(request.apiKey), "\(request.apiKey)")
        }
    }

    @Test func defaultsRoundTripAndTagsOnlyInFlexibleVersions() throws {
        for request in Self.requests { try roundTripDefaults(request) }
    }

    func roundTripDefaults<R: KafkaRequest>(_: R.Type) throws {
        try roundTrip(R(), as: R.self)
        try roundTrip(R.Response(), as: R.self)
        for field in R.fields where field.tag != nil {
            #expect(field.taggedVersions.intersection(R.flexibleVersions) == field.taggedVersions, "\(R.self).\(field.name)")
        }
    }

    @Test func addPartitionsToTxnCarriesOneTransactionUpToV3AndABatchFromV4() throws {
        var request = AddPartitionsToTxnRequest()
        request.v3AndBelowTransactionalId = "tx"
        request.v3AndBelowProducerId = 7
        request.v3AndBelowProducerEpoch = 2
        request.v3AndBelowTopics = [.init(name: "t", partitions: [0, 3])]
        let old = try roundTrip(request, as: AddPartitionsToTxnRequest.self, equalAt: 3)
        #expect(old[3]?.v3AndBelowTransactionalId == "tx")
        #expect(old[3]?.v3AndBelowTopics == request.v3AndBelowTopics)
        #expect(old[4]?.v3AndBelowTransactionalId == "", "v4+ has no single-transaction fields")

        var batched = AddPartitionsToTxnRequest()
        batched.transactions = [
            .init(transactionalId: "a", producerId: 1, producerEpoch: 0, verifyOnly: true, topics: [.init(name: "t", partitions: [1])]),
            .init(transactionalId: "b", producerId: 2, producerEpoch: 5, verifyOnly: false, topics: []),
        ]
        let new = try roundTrip(batched, as: AddPartitionsToTxnRequest.self)
        #expect(new[3]?.transactions == [], "v0-3 carry no batch")
        #expect(new[5]?.transactions.first?.verifyOnly == true)

        var response = AddPartitionsToTxnResponse()
        response.throttleTimeMs = 3
        response.errorCode = KafkaErrorCode.invalidTxnState.rawValue
        response.resultsByTransaction = [.init(transactionalId: "a", topicResults: [
            .init(name: "t", resultsByPartition: [.init(partitionIndex: 1, partitionErrorCode: 48)]),
        ])]
        let answers = try roundTrip(response, as: AddPartitionsToTxnRequest.self)
        var oldResponse = AddPartitionsToTxnResponse()
        oldResponse.resultsByTopicV3AndBelow = [.init(name: "u", resultsByPartition: [.init(partitionIndex: 0, partitionErrorCode: 51)])]
        let oldAnswers = try roundTrip(oldResponse, as: AddPartitionsToTxnRequest.self, equalAt: 3)
        #expect(answers[3]?.errorCode == 0, "no top-level error before v4")
        #expect(answers[3]?.resultsByTransaction == [])
        #expect(oldAnswers[4]?.resultsByTopicV3AndBelow == [])
    }

    @Test func coordinatorRequestsRoundTrip() throws {
        var addOffsets = AddOffsetsToTxnRequest()
        addOffsets.transactionalId = "tx"
        addOffsets.producerId = 9
        addOffsets.producerEpoch = 4
        addOffsets.groupId = "g"
        try roundTrip(addOffsets, as: AddOffsetsToTxnRequest.self)
        var addedOffsets = AddOffsetsToTxnResponse()
        addedOffsets.throttleTimeMs = 1
        addedOffsets.errorCode = KafkaErrorCode.producerFenced.rawValue
        try roundTrip(addedOffsets, as: AddOffsetsToTxnRequest.self)

        var end = EndTxnRequest()
        end.transactionalId = "tx"
        end.producerId = 9
        end.producerEpoch = 4
        end.committed = true
        try roundTrip(end, as: EndTxnRequest.self)
        var ended = EndTxnResponse()
        ended.errorCode = KafkaErrorCode.concurrentTransactions.rawValue
        try roundTrip(ended, as: EndTxnRequest.self)

        var commit = TxnOffsetCommitRequest()
        commit.transactionalId = "tx"
        commit.groupId = "g"
        commit.producerId = 9
        commit.producerEpoch = 4
        commit.generationId = 3
        commit.memberId = "m"
        commit.groupInstanceId = "i"
        commit.topics = [.init(name: "t", partitions: [.init(partitionIndex: 2, committedOffset: 40, committedLeaderEpoch: 1, committedMetadata: "md")])]
        let commits = try roundTrip(commit, as: TxnOffsetCommitRequest.self)
        #expect(commits[2]?.generationId == -1, "generation, member and instance id are v3+")
        #expect(commits[1]?.topics.first?.partitions.first?.committedLeaderEpoch == -1, "leader epoch is v2+")
        var committed = TxnOffsetCommitResponse()
        committed.throttleTimeMs = 2
        committed.topics = [.init(name: "t", partitions: [.init(partitionIndex: 2, errorCode: KafkaErrorCode.unknownMemberId.rawValue)])]
        try roundTrip(committed, as: TxnOffsetCommitRequest.self)

        var markers = WriteTxnMarkersRequest()
        markers.markers = [.init(producerId: 9, producerEpoch: 4, transactionResult: true,
                                 topics: [.init(name: "t", partitionIndexes: [0, 1])], coordinatorEpoch: 6)]
        try roundTrip(markers, as: WriteTxnMarkersRequest.self)
        var written = WriteTxnMarkersResponse()
        written.markers = [.init(producerId: 9, topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, errorCode: 52)])])]
        try roundTrip(written, as: WriteTxnMarkersRequest.self)
    }

    @Test func describeAndListRoundTrip() throws {
        var producers = DescribeProducersRequest()
        producers.topics = [.init(name: "t", partitionIndexes: [0, 1])]
        try roundTrip(producers, as: DescribeProducersRequest.self)
        var state = DescribeProducersResponse.ProducerState()
        state.producerId = 11
        state.producerEpoch = 70_000
        state.lastSequence = 99
        state.lastTimestamp = 1_700_000_000_000
        state.coordinatorEpoch = 2
        state.currentTxnStartOffset = 120
        var partition = DescribeProducersResponse.Partition()
        partition.partitionIndex = 1
        partition.errorMessage = "none"
        partition.activeProducers = [state]
        var described = DescribeProducersResponse()
        described.topics = [.init(name: "t", partitions: [partition])]
        try roundTrip(described, as: DescribeProducersRequest.self)

        var transactions = DescribeTransactionsRequest()
        transactions.transactionalIds = ["a", "b"]
        try roundTrip(transactions, as: DescribeTransactionsRequest.self)
        var txn = DescribeTransactionsResponse.TransactionState()
        txn.transactionalId = "a"
        txn.transactionState = "Ongoing"
        txn.transactionTimeoutMs = 60_000
        txn.transactionStartTimeMs = 1_700_000_000_000
        txn.producerId = 11
        txn.producerEpoch = 3
        txn.topics = [.init(topic: "t", partitions: [0, 4])]
        var missing = DescribeTransactionsResponse.TransactionState()
        missing.transactionalId = "b"
        missing.errorCode = KafkaErrorCode.transactionalIdNotFound.rawValue
        var describedTxns = DescribeTransactionsResponse()
        describedTxns.transactionStates = [txn, missing]
        try roundTrip(describedTxns, as: DescribeTransactionsRequest.self)

        var list = ListTransactionsRequest()
        list.stateFilters = ["Ongoing"]
        list.producerIdFilters = [11, 12]
        list.durationFilter = 30_000
        let lists = try roundTrip(list, as: ListTransactionsRequest.self)
        #expect(lists[0]?.durationFilter == -1, "the duration filter is v1+")
        var listed = ListTransactionsResponse()
        listed.unknownStateFilters = ["Bogus"]
        listed.transactionStates = [.init(transactionalId: "a", producerId: 11, transactionState: "Ongoing")]
        try roundTrip(listed, as: ListTransactionsRequest.self)
    }

    /// Byte layouts written out from the specs' field order, so that a declaration that is
    /// merely self-consistent (fields swapped, wrong width) still fails.
    @Test func encodingsMatchTheSpecsByteForByte() {
        var end = EndTxnRequest()
        end.transactionalId = "t"
        end.producerId = 7
        end.producerEpoch = 1
        end.committed = true
        #expect(bytes(end.encoded(version: 0, flexible: false)) == [0, 1, 0x74, 0, 0, 0, 0, 0, 0, 0, 7, 0, 1, 1])
        #expect(bytes(end.encoded(version: 3, flexible: true)) == [2, 0x74, 0, 0, 0, 0, 0, 0, 0, 7, 0, 1, 1, 0])

        var add = AddPartitionsToTxnRequest()
        add.transactions = [.init(transactionalId: "x", producerId: 5, producerEpoch: 0, verifyOnly: true,
                                  topics: [.init(name: "t", partitions: [2])])]
        #expect(bytes(add.encoded(version: 4, flexible: true)) == [
            2, // one transaction (compact array: count + 1)
            2, 0x78, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 1, // id "x", producer id 5, epoch 0, verify only
            2, 2, 0x74, 2, 0, 0, 0, 2, 0, // one topic "t", partitions [2], topic tags
            0, // transaction tags
            0, // request tags
        ])

        var state = DescribeProducersResponse.ProducerState()
        state.producerId = 1
        state.producerEpoch = 2
        #expect(bytes(state.encoded(version: 0, flexible: true)) == [
            0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, // producer id, epoch as int32
            0xFF, 0xFF, 0xFF, 0xFF, // last sequence -1
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // last timestamp -1
            0, 0, 0, 0, // coordinator epoch
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // current txn start offset -1
            0, // tags
        ])

        var markers = WriteTxnMarkersRequest()
        markers.markers = [.init(producerId: 3, producerEpoch: 1, transactionResult: false,
                                 topics: [.init(name: "t", partitionIndexes: [0])], coordinatorEpoch: 9)]
        #expect(bytes(markers.encoded(version: 0, flexible: false)) == [
            0, 0, 0, 1, // one marker
            0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 0, // producer id 3, epoch 1, abort
            0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 0, // one topic "t", partitions [0]
            0, 0, 0, 9, // coordinator epoch
        ])
    }
}
