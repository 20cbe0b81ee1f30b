import Foundation
import SluiceKernel
import SluiceSQLite
import Testing

/// The transaction coordinator on a real SQLite metadata file: epochs and fencing, the
/// state machine, completion through the marker writer, and restarts.
@Suite struct TransactionCoordinatorTests {
    let t0 = TopicPartition("txn-out", 0), t1 = TopicPartition("txn-out", 1)

    @Test func initAllocatesThenEachInitBumpsTheEpochAndFencesTheOlderProducer() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let first = try await rig.initProducer("app")
            #expect(first.producerEpoch == 0)
            let second = try await rig.initProducer("app")
            #expect(second == TransactionalProducer(producerId: first.producerId, producerEpoch: 1))
            #expect(await rig.add("app", first, [t0]) == .producerFenced(current: 1))
            #expect(await rig.end("app", first, commit: true) == .producerFenced(current: 1))
            #expect(await rig.add("app", second, [t0]) == nil)
            let stored = try await rig.state("app")
            #expect(stored?.producerEpoch == 1 && stored?.status == .ongoing && stored?.partitions == [t0])
            let other = try await rig.initProducer("other")
            #expect(other.producerId != first.producerId)
            #expect(await rig.add("app", other, [t0]) == .invalidProducerIdMapping)
            try await rig.close()
        }
    }

    @Test func timeoutsOutsideTheBrokersLimitAreRefused() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let tooLong = await rig.coordinator.initProducerId(transactionalId: "app", timeoutMs: 900_001, expected: nil)
            #expect(tooLong == .failure(.invalidTransactionTimeout(requested: 900_001, max: 900_000)))
            let zero = await rig.coordinator.initProducerId(transactionalId: "app", timeoutMs: 0, expected: nil)
            #expect(zero == .failure(.invalidTransactionTimeout(requested: 0, max: 900_000)))
            #expect(try await rig.state("app") == nil)
            try await rig.close()
        }
    }

    @Test func anEpochIsHandedOutOnlyOnceStoredAndSurvivesARestart() async throws {
        try await withTemporaryDirectory { dir in
            let ids = ProducerIds()
            let rig = try await TransactionRig.open(dir, ids: ids)
            let first = try await rig.initProducer("app")
            try await rig.store.close()
            // The store refuses the write: no new epoch may be answered.
            let refused = await rig.coordinator.initProducerId(transactionalId: "app", timeoutMs: 60_000, expected: nil)
            guard case .failure(.storage) = refused else {
                Issue.record("an unstored epoch was handed out: \(refused)")
                return
            }
            await rig.coordinator.shutdown()
            let reopened = try await TransactionRig.open(dir, ids: ids)
            let next = try await reopened.initProducer("app")
            #expect(next == TransactionalProducer(producerId: first.producerId, producerEpoch: 1), "the epoch continues from the stored one")
            try await reopened.close()
        }
    }

    @Test func anExhaustedEpochGetsANewProducerIdInsteadOfOverflowing() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir, start: false)
            try await rig.store.saveTransaction(TransactionStateRecord(transactionalId: "old", producerId: 7, producerEpoch: Int16.max - 1,
                                                                       status: .completeCommit, timeoutMs: 60_000))
            try await rig.coordinator.start()
            let next = try await rig.initProducer("old")
            #expect(next.producerId != 7 && next.producerEpoch == 0)
            #expect(try await rig.state("old")?.producerId == next.producerId)
            #expect(await rig.coordinator.verify(transactionalProducer: 7, epoch: Int16.max - 1, partition: t0) == .notInTransaction)
            try await rig.close()
        }
    }

    @Test func commitWritesMarkersThenCompletesAndARetriedEndTxnSucceedsAgain() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let producer = try await rig.initProducer("app")
            #expect(await rig.coordinator.verify(transactionalProducer: producer.producerId, epoch: 0, partition: t0) == .notInTransaction)
            #expect(await rig.add("app", producer, [t0, t1]) == nil)
            #expect(await rig.coordinator.verify(transactionalProducer: producer.producerId, epoch: 0, partition: t0) == .ongoing)
            #expect(await rig.coordinator.verify(transactionalProducer: producer.producerId, epoch: 0,
                                                 partition: TopicPartition("elsewhere", 0)) == .notInTransaction)
            #expect(await rig.end("app", producer, commit: true) == nil)
            let written = await rig.markers.written
            #expect(written.count == 1)
            #expect(written.first?.0 == TransactionMarker(producerId: producer.producerId, producerEpoch: 0, commit: true, coordinatorEpoch: 0))
            #expect(written.first?.1 == [t0, t1])
            let stored = try await rig.state("app")
            #expect(stored?.status == .completeCommit && stored?.partitions == [] && stored?.startedAt == nil)
            #expect(await rig.end("app", producer, commit: true) == nil, "a retried commit answers success")
            guard case .invalidTxnState = await rig.end("app", producer, commit: false) else {
                Issue.record("aborting a committed transaction must be refused")
                return
            }
            #expect(await rig.markers.written.count == 1, "a retry writes no marker")
            // The next transaction of the same producer.
            #expect(await rig.add("app", producer, [t1]) == nil)
            #expect(await rig.end("app", producer, commit: false) == nil)
            let last = await rig.markers.written.last
            #expect(last?.0.commit == false && last?.1 == [t1])
            guard case .invalidTxnState = await rig.end("app", try await rig.initProducer("app"), commit: true) else {
                Issue.record("EndTxn with nothing added must be refused")
                return
            }
            try await rig.close()
        }
    }

    @Test func anyEndTxnWhileACommitIsCompletingGetsConcurrentTransactionsNotFenced() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let producer = try await rig.initProducer("app")
            #expect(await rig.add("app", producer, [t0]) == nil)
            await rig.markers.hold()
            let commit = Task { await rig.end("app", producer, commit: true) }
            await rig.markers.waitForHeldWrite()
            #expect(try await rig.state("app")?.status == .prepareCommit, "the decision is stored before the markers")
            #expect(await rig.end("app", producer, commit: false) == .concurrentTransactions)
            #expect(await rig.end("app", producer, commit: true) == .concurrentTransactions)
            #expect(await rig.add("app", producer, [t1]) == .concurrentTransactions)
            #expect(await rig.coordinator.verify(transactionalProducer: producer.producerId, epoch: 0, partition: t0) == .concurrent)
            await rig.markers.release()
            #expect(await commit.value == nil)
            #expect(try await eventually { try await rig.state("app")?.status == .completeCommit })
            try await rig.close()
        }
    }

    @Test func anExpiredTransactionIsAbortedWithAnEpochBumpThatFencesItsProducer() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let producer = try await rig.initProducer("slow", timeoutMs: 1_000)
            #expect(await rig.add("slow", producer, [t0]) == nil)
            rig.clock.advance(ms: 999)
            await rig.coordinator.abortExpired()
            #expect(try await rig.state("slow")?.status == .ongoing, "not yet expired")
            rig.clock.advance(ms: 1)
            await rig.coordinator.abortExpired()
            let stored = try await rig.state("slow")
            #expect(stored?.status == .completeAbort && stored?.producerEpoch == 1)
            let marker = await rig.markers.written.last?.0
            #expect(marker == TransactionMarker(producerId: producer.producerId, producerEpoch: 1, commit: false, coordinatorEpoch: 0))
            #expect(await rig.end("slow", producer, commit: true) == .producerFenced(current: 1))
            #expect(await rig.add("slow", producer, [t0]) == .producerFenced(current: 1))
            #expect(await rig.coordinator.verify(transactionalProducer: producer.producerId, epoch: 0, partition: t0) == .fenced(currentEpoch: 1))
            try await rig.close()
        }
    }

    @Test func aLateEndTxnOfAnOlderEpochDoesNotTouchTheNextTransaction() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let old = try await rig.initProducer("app")
            #expect(await rig.add("app", old, [t0]) == nil)
            #expect(await rig.end("app", old, commit: true) == nil)
            let new = try await rig.initProducer("app")
            #expect(await rig.add("app", new, [t1]) == nil)
            #expect(await rig.end("app", old, commit: true) == .producerFenced(current: new.producerEpoch))
            #expect(await rig.end("app", old, commit: false) == .producerFenced(current: new.producerEpoch))
            let stored = try await rig.state("app")
            #expect(stored?.status == .ongoing && stored?.partitions == [t1])
            #expect(await rig.markers.written.count == 1)
            try await rig.close()
        }
    }

    @Test func initWithAnOpenTransactionAbortsItBeforeBumping() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let zombie = try await rig.initProducer("app")
            #expect(await rig.add("app", zombie, [t0]) == nil)
            let fresh = try await rig.initProducer("app")
            #expect(fresh.producerId == zombie.producerId && fresh.producerEpoch == 2)
            let markers = await rig.markers.written
            #expect(markers.count == 1 && markers[0].0.commit == false && markers[0].0.producerEpoch == 1 && markers[0].1 == [t0])
            #expect(try await rig.state("app")?.status == .empty)
            #expect(await rig.add("app", zombie, [t0]) == .producerFenced(current: 2))
            try await rig.close()
        }
    }

    @Test func kip360InitWithTheCurrentEpochBumpsAStaleOneIsFencedAndALostAnswerIsRepeated() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let first = try await rig.initProducer("app")
            let second = try await rig.initProducer("app", expected: first)
            #expect(second.producerEpoch == 1)
            let retried = try await rig.initProducer("app", expected: first)
            #expect(retried == second, "a retry whose answer was lost gets the same epoch")
            let stale = await rig.coordinator.initProducerId(transactionalId: "app", timeoutMs: 60_000,
                                                             expected: TransactionalProducer(producerId: first.producerId, producerEpoch: 7))
            #expect(stale == .failure(.producerFenced(current: 1)))
            try await rig.close()
        }
    }

    @Test func failedMarkersAreRetriedUntilTheTransactionCompletes() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let producer = try await rig.initProducer("app")
            #expect(await rig.add("app", producer, [t0, t1]) == nil)
            await rig.markers.setFailing([t1])
            #expect(await rig.end("app", producer, commit: true) == nil, "the decision is stored; markers follow")
            #expect(try await rig.state("app")?.status == .prepareCommit)
            #expect(await rig.add("app", producer, [t0]) == .concurrentTransactions)
            await rig.markers.setFailing([])
            #expect(try await eventually { try await rig.state("app")?.status == .completeCommit })
            #expect(await rig.add("app", producer, [t0]) == nil)
            try await rig.close()
        }
    }

    @Test func aRestartCompletesWhatACrashLeftPrepared() async throws {
        try await withTemporaryDirectory { dir in
            let broken = RecordingMarkers()
            let rig = try await TransactionRig.open(dir, markers: broken)
            let producer = try await rig.initProducer("app")
            #expect(await rig.add("app", producer, [t0]) == nil)
            await broken.setFailing([t0])
            #expect(await rig.end("app", producer, commit: true) == nil)
            try await rig.close()   // "crash": PrepareCommit stays in the file

            let restarted = try await TransactionRig.open(dir)
            #expect(try await eventually { try await restarted.state("app")?.status == .completeCommit })
            let written = await restarted.markers.written
            #expect(written.count == 1 && written[0].0.commit && written[0].0.producerId == producer.producerId && written[0].1 == [t0])
            #expect(await restarted.add("app", producer, [t1]) == nil, "the producer continues with its epoch")
            try await restarted.close()
        }
    }

    @Test func describeAndListShowStatePartitionsAndFilters() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let a = try await rig.initProducer("a")
            _ = try await rig.initProducer("b")
            #expect(await rig.add("a", a, [t0]) == nil)
            rig.clock.advance(ms: 5_000)
            let described = try await rig.coordinator.describe(transactionalId: "a").get()
            #expect(described?.status == .ongoing && described?.partitions == [t0] && described?.timeoutMs == 60_000)
            #expect(described?.startTimeMs == Int64(1_800_000_000_000))
            #expect(try await rig.coordinator.describe(transactionalId: "nope").get() == nil)
            #expect(await rig.coordinator.list(statuses: [], producerIds: [], minDurationMs: -1).map(\.transactionalId) == ["a", "b"])
            #expect(await rig.coordinator.list(statuses: [.ongoing], producerIds: [], minDurationMs: -1).map(\.transactionalId) == ["a"])
            #expect(await rig.coordinator.list(statuses: [], producerIds: [a.producerId], minDurationMs: -1).map(\.transactionalId) == ["a"])
            #expect(await rig.coordinator.list(statuses: [], producerIds: [], minDurationMs: 5_000).map(\.transactionalId) == ["a"])
            #expect(await rig.coordinator.list(statuses: [], producerIds: [], minDurationMs: 5_001).isEmpty)
            try await rig.close()
        }
    }

    /// transactional.id.expiration.ms, short: an id idle that long with no transaction open
    /// leaves the store (and stays gone after a restart); open ones never expire.
    @Test func anIdIdleLongerThanTheExpirationIsRemovedAndStartsAfresh() async throws {
        try await withTemporaryDirectory { dir in
            let clock = ManualClock()
            let rig = try await TransactionRig.open(dir, clock: clock, transactionalIdExpirationMs: 60_000)
            let idle = try await rig.initProducer("idle")
            let open = try await rig.initProducer("open", timeoutMs: 900_000)
            #expect(await rig.add("open", open, [t0]) == nil)
            let done = try await rig.initProducer("done")
            #expect(await rig.add("done", done, [t1]) == nil)
            clock.advance(ms: 30_000)
            #expect(await rig.end("done", done, commit: true) == nil)
            #expect(try await eventually { try await rig.state("done")?.status == .completeCommit })
            clock.advance(ms: 29_999)
            #expect(await rig.coordinator.removeExpiredTransactionalIds() == [], "nothing is idle for 60 s yet")
            clock.advance(ms: 1)

            #expect(await rig.coordinator.removeExpiredTransactionalIds() == ["idle"])
            #expect(try await rig.state("idle") == nil, "removed from the store")
            #expect(try await rig.state("open")?.status == .ongoing, "an open transaction never expires")
            #expect(await rig.add("idle", idle, [t0]) == .invalidProducerIdMapping, "the old producer no longer maps")
            let fresh = try await rig.initProducer("idle")
            #expect(fresh.producerId != idle.producerId && fresh.producerEpoch == 0, "a new producer id, not a bumped epoch")

            clock.advance(ms: 30_000)
            #expect(await rig.coordinator.removeExpiredTransactionalIds() == ["done"], "60 s after its commit")
            try await rig.close()

            let reopened = try await TransactionRig.open(dir, clock: clock, transactionalIdExpirationMs: 60_000)
            let listed = await reopened.coordinator.list(statuses: [], producerIds: []).map(\.transactionalId)
            #expect(listed == ["idle", "open"], "what was removed stays removed after a restart")
            try await reopened.close()
        }
    }
}
