import Foundation
import NIOCore
import SluiceKernel
import SluiceMemory
import Testing

/// The coordinator's side of the KIP-890 seam, scripted: answers what the test says and
/// counts the questions. A real `TransactionVerifier` (the seam is the protocol).
actor ScriptedVerifier: TransactionVerifier {
    var answer: TransactionVerification
    private(set) var calls = 0
    /// Run inside `verify` before it answers (a marker racing the produce).
    var during: (@Sendable () async -> Void)?

    init(_ answer: TransactionVerification = .ongoing) { self.answer = answer }

    func set(_ answer: TransactionVerification) { self.answer = answer }
    func setDuring(_ body: (@Sendable () async -> Void)?) { during = body }

    func verify(transactionalProducer producerId: Int64, epoch producerEpoch: Int16, partition: TopicPartition) async -> TransactionVerification {
        calls += 1
        if let during { await during() }
        return answer
    }
}

/// A transactional (or, with `transactional: false`, idempotent) batch of `values`.
func txnBatch(_ values: [String], pid: Int64, epoch: Int16 = 0, seq: Int32, transactional: Bool = true) -> ByteBuffer {
    var builder = RecordBatchBuilder()
    builder.producerId = pid
    builder.producerEpoch = epoch
    builder.baseSequence = seq
    builder.isTransactional = transactional
    return builder.build(values.enumerated().map { Record(value: Array($0.element.utf8), timestamp: 1_700_000_000_000 + Int64($0.offset)) }).buffer
}

/// What a fetch returned, batch by batch: (base offset, last offset, control, values).
func fetchedBatches(_ result: FetchPartitionResult) throws -> [(base: Int64, last: Int64, control: Bool, values: [String])] {
    try RecordBatch.parse(result.result.get().payload.load()).map { batch in
        (batch.baseOffset, batch.lastOffset, batch.isControl,
         batch.isControl ? [] : try batch.records().map { String(decoding: $0.value ?? [], as: UTF8.self) })
    }
}

func readFrom(_ broker: Broker, _ tp: TopicPartition, offset: Int64, committed: Bool, maxWait: Duration = .zero) async -> FetchPartitionResult {
    await broker.fetch(FetchRequest(partitions: [.init(tp, offset: offset, maxBytes: 1 << 20)], maxWait: maxWait, minBytes: 1,
                                    maxBytes: 1 << 20, readCommitted: committed))[0]
}

func marker(_ pid: Int64, epoch: Int16 = 0, commit: Bool, coordinatorEpoch: Int32 = 0) -> TransactionMarker {
    TransactionMarker(producerId: pid, producerEpoch: epoch, commit: commit, coordinatorEpoch: coordinatorEpoch)
}

@Suite("Transactions in a partition")
struct TransactionPartitionTests {
    let tp = TopicPartition("txn", 0)

    func brokerWithVerifier(_ verifier: ScriptedVerifier = ScriptedVerifier(), storage: any LogStorage = MemoryLogStorage(),
                            metadata: any MetadataStore = MemoryMetadataStore()) async throws -> Broker {
        let broker = try await makeBroker(storage: storage, metadata: metadata)
        if await broker.topic(named: "txn") == nil { try await broker.createTopic("txn") }
        broker.setTransactionVerifier(verifier)
        return broker
    }

    /// LSO off-by-one (redpanda#3036) and fetches capped at the HW instead of the LSO
    /// (nisshi#689): the first offset of the open transaction is excluded.
    @Test func readCommittedStopsAtTheFirstOffsetOfTheOpenTransaction() async throws {
        let broker = try await brokerWithVerifier()
        _ = try await broker.produce(to: tp, bytes: batchBytes(["a", "b", "c"]))                  // 0...2
        _ = try await broker.produce(to: tp, bytes: txnBatch(["t1", "t2", "t3"], pid: 7, seq: 0))  // 3...5
        _ = try await broker.produce(to: tp, bytes: batchBytes(["d", "e"]))                         // 6...7
        #expect(try await broker.listOffset(tp, .lastStable).offset == 3)
        #expect(try await broker.listOffset(tp, .latest).offset == 8)

        let committed = await readFrom(broker, tp, offset: 0, committed: true)
        #expect(try fetchedBatches(committed).map(\.values) == [["a", "b", "c"]], "nothing at or past the LSO 3")
        #expect(committed.lastStableOffset == 3 && committed.highWatermark == 8)
        #expect(committed.abortedTransactions == [])
        let atStable = await readFrom(broker, tp, offset: 3, committed: true)
        #expect(try fetchedBatches(atStable).isEmpty, "a read_committed fetch at the LSO gets nothing")

        let uncommitted = await readFrom(broker, tp, offset: 0, committed: false)
        #expect(try fetchedBatches(uncommitted).count == 3, "read_uncommitted reads up to the high watermark")
        #expect(uncommitted.abortedTransactions == nil, "read_uncommitted lists no aborted transactions")
        #expect(uncommitted.lastStableOffset == 3, "every fetch answer carries the LSO")

        #expect(await broker.writeMarkers(marker(7, commit: true), partitions: [tp]).isEmpty)
        #expect(try await broker.listOffset(tp, .lastStable).offset == 9, "the commit marker at 8 ends it: LSO = HW = 9")
        let after = try fetchedBatches(await readFrom(broker, tp, offset: 3, committed: true))
        #expect(after.map(\.base) == [3, 6, 8])
        #expect(after.last?.control == true, "the control batch reaches the consumer (it moves past the marker)")
    }

    /// The aborted list covers the whole returned range, and read_uncommitted returns the
    /// aborted records with no list (franz-go#758).
    @Test func abortedTransactionsAreListedForTheWholeRange() async throws {
        let broker = try await brokerWithVerifier()
        _ = try await broker.produce(to: tp, bytes: txnBatch(["x1"], pid: 1, seq: 0))      // 0
        _ = try await broker.produce(to: tp, bytes: batchBytes(["plain"]))                  // 1
        _ = try await broker.produce(to: tp, bytes: txnBatch(["y1"], pid: 2, seq: 0))      // 2
        _ = try await broker.produce(to: tp, bytes: txnBatch(["x2"], pid: 1, seq: 1))      // 3
        #expect(await broker.writeMarkers(marker(1, commit: false), partitions: [tp]).isEmpty)  // 4
        #expect(try await broker.listOffset(tp, .lastStable).offset == 2, "producer 2's transaction is still open at 2")
        #expect(await broker.writeMarkers(marker(2, commit: true), partitions: [tp]).isEmpty)   // 5
        #expect(try await broker.listOffset(tp, .lastStable).offset == 6)

        let committed = await readFrom(broker, tp, offset: 0, committed: true)
        #expect(try fetchedBatches(committed).map(\.base) == [0, 1, 2, 3, 4, 5], "aborted records are returned, with the list to drop them")
        #expect(committed.abortedTransactions == [AbortedTransaction(producerId: 1, firstOffset: 0)])
        let fromInside = await readFrom(broker, tp, offset: 3, committed: true)
        #expect(fromInside.abortedTransactions == [AbortedTransaction(producerId: 1, firstOffset: 0)],
                "a fetch starting inside the aborted transaction still lists it")
        let afterIt = await readFrom(broker, tp, offset: 5, committed: true)
        #expect(afterIt.abortedTransactions == [], "a fetch past the abort marker lists nothing")

        let uncommitted = await readFrom(broker, tp, offset: 0, committed: false)
        #expect(try fetchedBatches(uncommitted).count == 6)
        #expect(uncommitted.abortedTransactions == nil)
    }

    /// A delayed (long-poll) read_committed fetch waits on the LSO, not the HW, and its
    /// answer lists the aborted transaction (AutoMQ#754).
    @Test(.timeLimit(.minutes(2))) func longPollWaitsForTheStableOffsetAndListsTheAbort() async throws {
        let broker = try await brokerWithVerifier()
        _ = try await broker.produce(to: tp, bytes: txnBatch(["a"], pid: 3, seq: 0))   // 0, open
        let tp = tp
        async let fetched = readFrom(broker, tp, offset: 0, committed: true, maxWait: .seconds(3600))
        try await Task.sleep(for: .milliseconds(100))
        _ = try await broker.produce(to: tp, bytes: txnBatch(["b"], pid: 3, seq: 1))   // 1: the HW moves, the LSO does not
        try await Task.sleep(for: .milliseconds(100))
        #expect(await broker.writeMarkers(marker(3, commit: false), partitions: [tp]).isEmpty)  // 2
        let result = await fetched
        #expect(try fetchedBatches(result).map(\.base) == [0, 1, 2])
        #expect(result.abortedTransactions == [AbortedTransaction(producerId: 3, firstOffset: 0)])
    }

    /// KIP-890 part 1: no coordinator, a partition not in the transaction, a fenced epoch,
    /// a coordinator still completing: each refused, nothing appended; verified once per
    /// transaction.
    @Test func transactionalProduceIsVerifiedBeforeItOpensATransaction() async throws {
        let unverified = try await makeBroker()
        try await unverified.createTopic("txn")
        await #expect(throws: BrokerError.self) { try await unverified.produce(to: tp, bytes: txnBatch(["a"], pid: 1, seq: 0)) }
        do {
            _ = try await unverified.produce(to: tp, bytes: txnBatch(["a"], pid: 1, seq: 0))
        } catch {
            guard case .invalidTxnState = error else { Issue.record("no coordinator: INVALID_TXN_STATE, got \(error)"); return }
        }

        let verifier = ScriptedVerifier(.notInTransaction)
        let broker = try await brokerWithVerifier(verifier)
        await #expect(throws: BrokerError.invalidTxnState(tp, "producer 1 (epoch 0) has no ongoing transaction that includes txn-0: add the partition to the transaction first (AddPartitionsToTxn)")) {
            try await broker.produce(to: tp, bytes: txnBatch(["a"], pid: 1, seq: 0))
        }
        await verifier.set(.fenced(currentEpoch: 4))
        await #expect(throws: BrokerError.invalidProducerEpoch(producerId: 1, current: 4, received: 0)) {
            try await broker.produce(to: tp, bytes: txnBatch(["a"], pid: 1, seq: 0))
        }
        await verifier.set(.concurrent)
        do {
            _ = try await broker.produce(to: tp, bytes: txnBatch(["a"], pid: 1, seq: 0))
            Issue.record("a coordinator completing the previous transaction must make the producer retry")
        } catch {
            guard case .transactionNotVerified = error else { Issue.record("expected a retriable refusal, got \(error)"); return }
        }
        #expect(try await broker.listOffset(tp, .latest).offset == 0, "nothing was appended")

        await verifier.set(.ongoing)
        _ = try await broker.produce(to: tp, bytes: txnBatch(["a"], pid: 1, seq: 0))
        _ = try await broker.produce(to: tp, bytes: txnBatch(["b"], pid: 1, seq: 1))
        #expect(await verifier.calls == 4, "the second batch of the open transaction is not verified again")

        // A newer epoch while the old epoch's transaction is still open here (its abort
        // markers not written yet) does not continue that transaction unasked.
        await verifier.set(.concurrent)
        do {
            _ = try await broker.produce(to: tp, bytes: txnBatch(["c"], pid: 1, epoch: 1, seq: 0))
            Issue.record("a batch of a newer epoch must be verified, not appended to the open transaction")
        } catch {
            guard case .transactionNotVerified = error else { Issue.record("expected a retriable refusal, got \(error)"); return }
        }
        #expect(await verifier.calls == 5, "the newer epoch was verified")
        #expect(try await broker.listOffset(tp, .latest).offset == 2, "nothing more was appended")
    }

    /// A produce whose transaction ends (marker) while it is being verified must not open
    /// a transaction nothing will close (KAFKA-12671): the re-check at append refuses it.
    @Test func aMarkerDuringVerificationRefusesTheLateProduce() async throws {
        let verifier = ScriptedVerifier(.ongoing)
        let broker = try await brokerWithVerifier(verifier)
        let tp = tp
        await verifier.setDuring { _ = await broker.writeMarkers(marker(9, commit: false), partitions: [tp]) }
        do {
            _ = try await broker.produce(to: tp, bytes: txnBatch(["late"], pid: 9, seq: 0))
            Issue.record("the late produce must be refused")
        } catch {
            guard case .invalidTxnState = error else { Issue.record("expected INVALID_TXN_STATE, got \(error)"); return }
        }
        #expect(try await broker.listOffset(tp, .lastStable).offset == 0)
        #expect(try await broker.listOffset(tp, .latest).offset == 0, "no hanging transaction")
    }

    @Test func markersAreIdempotentAndRefuseOlderEpochs() async throws {
        let broker = try await brokerWithVerifier()
        _ = try await broker.produce(to: tp, bytes: txnBatch(["a"], pid: 5, epoch: 2, seq: 0))
        #expect(await broker.writeMarkers(marker(5, epoch: 1, commit: true), partitions: [tp])
                == [tp: .invalidProducerEpoch(producerId: 5, current: 2, received: 1)])
        #expect(await broker.writeMarkers(marker(5, epoch: 2, commit: true, coordinatorEpoch: 3), partitions: [tp]).isEmpty)
        #expect(try await broker.listOffset(tp, .latest).offset == 2)
        #expect(await broker.writeMarkers(marker(5, epoch: 2, commit: true, coordinatorEpoch: 3), partitions: [tp]).isEmpty,
                "a retried marker succeeds")
        #expect(try await broker.listOffset(tp, .latest).offset == 2, "and writes nothing")

        _ = try await broker.produce(to: tp, bytes: txnBatch(["b"], pid: 5, epoch: 2, seq: 1))
        #expect(await broker.writeMarkers(marker(5, epoch: 2, commit: false, coordinatorEpoch: 2), partitions: [tp])
                == [tp: .transactionCoordinatorFenced(tp, producerId: 5, current: 3, received: 2)])
        let unknown = TopicPartition("nope", 0)
        #expect(await broker.writeMarkers(marker(5, epoch: 2, commit: false, coordinatorEpoch: 3), partitions: [tp, unknown])
                == [unknown: .unknownTopicOrPartition("nope", 0)])
        #expect(try await broker.listOffset(tp, .lastStable).offset == 4)
    }

    @Test func plainWritesAndControlBatchesAreRefused() async throws {
        let broker = try await brokerWithVerifier()
        _ = try await broker.produce(to: tp, bytes: txnBatch(["a"], pid: 6, seq: 0))
        do {
            _ = try await broker.produce(to: tp, bytes: txnBatch(["b"], pid: 6, seq: 1, transactional: false))
            Issue.record("a non-transactional write during the producer's open transaction must be refused")
        } catch {
            guard case .invalidTxnState = error else { Issue.record("expected INVALID_TXN_STATE, got \(error)"); return }
        }
        var control = ControlRecord.batch(for: marker(6, commit: true), timestamp: 0)
        control.setBaseOffset(0)
        do {
            _ = try await broker.produce(to: tp, bytes: control.buffer)
            Issue.record("a producer's control batch must be refused")
        } catch {
            guard case .invalidRecord = error else { Issue.record("expected INVALID_RECORD, got \(error)"); return }
        }
        #expect(try await broker.listOffset(tp, .latest).offset == 1)
    }

    /// Retention never deletes a segment past the first offset of an open transaction.
    @Test func retentionStopsAtAnOpenTransaction() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("txn", configs: ["segment.bytes": "1024", "retention.ms": "60000"])
        broker.setTransactionVerifier(ScriptedVerifier())
        let big = String(repeating: "x", count: 200)
        for _ in 0..<6 { _ = try await broker.produce(to: tp, bytes: batchBytes([big, big])) }        // 0...11
        _ = try await broker.produce(to: tp, bytes: txnBatch([big], pid: 4, seq: 0))                 // 12
        for _ in 0..<6 { _ = try await broker.produce(to: tp, bytes: batchBytes([big, big])) }        // 13...24
        await broker.applyRetention()
        let held = try await broker.listOffset(tp, .earliest).offset
        #expect(held > 0 && held <= 12, "old segments below the transaction go, the one holding offset 12 stays (log start \(held))")
        #expect(await broker.writeMarkers(marker(4, commit: true), partitions: [tp]).isEmpty)
        await broker.applyRetention()
        let freed = try await broker.listOffset(tp, .earliest).offset
        #expect(freed > 12, "once the transaction is committed retention moves past it (log start \(freed))")
    }

    /// A transaction opened more than the tail scan's 16,384 records before a restart is
    /// still found: storage keeps the offset a rebuild must start from.
    @Test func aTransactionOpenedLongBeforeARestartIsFound() async throws {
        let storage = MemoryLogStorage(), metadata = MemoryMetadataStore()
        let first = try await brokerWithVerifier(storage: storage, metadata: metadata)
        _ = try await first.produce(to: tp, bytes: txnBatch(["slow"], pid: 21, seq: 0))                  // 0, open
        _ = try await first.produce(to: tp, bytes: batchBytes((0..<20_000).map { "r\($0)" }))          // 1...20000
        #expect(try await first.listOffset(tp, .lastStable).offset == 0)

        let second = try await brokerWithVerifier(storage: storage, metadata: metadata)
        #expect(try await second.listOffset(tp, .lastStable).offset == 0, "the transaction at offset 0 still holds the LSO")
        #expect(await second.writeMarkers(marker(21, commit: false), partitions: [tp]).isEmpty)              // 20001
        #expect(try await second.listOffset(tp, .lastStable).offset == 20_002)
        let read = await readFrom(second, tp, offset: 0, committed: true)
        #expect(read.abortedTransactions == [AbortedTransaction(producerId: 21, firstOffset: 0)])
    }

    /// Producer state is rebuilt from the log when a broker starts over the same storage:
    /// the open transaction still holds the LSO and can be aborted, and the producer's epoch
    /// is still fenced.
    @Test func openTransactionsSurviveARestart() async throws {
        let storage = MemoryLogStorage(), metadata = MemoryMetadataStore()
        let first = try await brokerWithVerifier(storage: storage, metadata: metadata)
        _ = try await first.produce(to: tp, bytes: batchBytes(["a"]))                           // 0
        _ = try await first.produce(to: tp, bytes: txnBatch(["t"], pid: 11, epoch: 1, seq: 0)) // 1
        _ = try await first.produce(to: tp, bytes: txnBatch(["u"], pid: 12, epoch: 0, seq: 0)) // 2
        #expect(await first.writeMarkers(marker(12, commit: true, coordinatorEpoch: 5), partitions: [tp]).isEmpty) // 3

        let second = try await brokerWithVerifier(storage: storage, metadata: metadata)
        #expect(try await second.listOffset(tp, .lastStable).offset == 1, "producer 11's transaction is open after the restart")
        let producers = try await second.describeProducers(tp)
        #expect(producers.map(\.producerId) == [11, 12])
        #expect(producers.first?.currentTransactionStartOffset == 1 && producers.first?.producerEpoch == 1)
        #expect(producers.last?.currentTransactionStartOffset == -1 && producers.last?.coordinatorEpoch == 5)
        #expect(await second.writeMarkers(marker(12, commit: false, coordinatorEpoch: 4), partitions: [tp])
                == [tp: .transactionCoordinatorFenced(tp, producerId: 12, current: 5, received: 4)],
                "the coordinator epoch of producer 12's last marker is known after the restart")
        await #expect(throws: BrokerError.invalidProducerEpoch(producerId: 11, current: 1, received: 0)) {
            try await second.produce(to: tp, bytes: txnBatch(["z"], pid: 11, epoch: 0, seq: 1))
        }
        #expect(await second.writeMarkers(marker(11, epoch: 1, commit: false), partitions: [tp]).isEmpty)   // 4
        #expect(try await second.listOffset(tp, .lastStable).offset == 5)
        let read = await readFrom(second, tp, offset: 0, committed: true)
        #expect(read.abortedTransactions == [AbortedTransaction(producerId: 11, firstOffset: 1)])
    }
}
