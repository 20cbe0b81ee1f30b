import ConformanceKit
import Foundation
import SluiceKernel

/// The transaction coordinator's state and the offsets staged by open transactions.
extension MetadataStoreConformance {
    func transactionState(_ store: any MetadataStore) async throws {
        let started = referenceDate.addingTimeInterval(-5)
        var state = TransactionStateRecord(transactionalId: "txn-b", producerId: 4_000_000_000_123, producerEpoch: 7, lastProducerEpoch: 6,
                                           status: .ongoing, timeoutMs: 60_000,
                                           partitions: [TopicPartition("txn-t", 0), TopicPartition("txn-t", 2)], groups: ["txn-g"],
                                           startedAt: started, updatedAt: referenceDate)
        try await store.saveTransaction(state)
        try await store.saveTransaction(TransactionStateRecord(transactionalId: "txn-a", producerId: 1, producerEpoch: 0, timeoutMs: 1_000,
                                                               updatedAt: referenceDate))
        let got = try await store.transaction("txn-b")
        try conform(got.map { sameTransaction($0, state) } ?? false, "every field must round-trip, got \(String(describing: got))")
        let listed = try await store.transactions().filter { $0.transactionalId.hasPrefix("txn-") }
        try conform(listed.map(\.transactionalId) == ["txn-a", "txn-b"], "transactions() lists both, sorted, got \(listed.map(\.transactionalId))")
        try conform(listed[0].startedAt == nil && listed[0].status == .empty && listed[0].partitions.isEmpty, "an empty state round-trips: \(listed[0])")

        state.status = .prepareCommit
        state.producerEpoch = 8
        state.startedAt = nil
        try await store.saveTransaction(state)
        let replaced = try await store.transaction("txn-b")
        try conform(replaced?.status == .prepareCommit && replaced?.producerEpoch == 8 && replaced?.startedAt == nil,
                    "a save replaces the stored state, got \(String(describing: replaced))")
        try await store.deleteTransaction("txn-b")
        try await store.deleteTransaction("txn-never")
        try conform(try await store.transaction("txn-b") == nil, "a deleted transactional id is gone")
        try conform(try await store.transaction("txn-a") != nil, "deleting one id keeps the others")
    }

    func stagedOffsets(_ store: any MetadataStore) async throws {
        let tp0 = TopicPartition("stage-t", 0), tp1 = TopicPartition("stage-t", 1)
        let committed = CommittedOffset(offset: 5, metadata: "old", commitTime: referenceDate)
        try await store.commitOffsets(group: "stage-g", [tp0: committed])
        let staged = CommittedOffset(offset: 42, leaderEpoch: 3, metadata: "txn\u{0}", commitTime: referenceDate)
        try await store.stageTransactionalOffsets(group: "stage-g", producerId: 11, [tp0: staged])
        try await store.stageTransactionalOffsets(group: "stage-g", producerId: 11, [tp1: CommittedOffset(offset: 9, commitTime: referenceDate)])
        try await store.stageTransactionalOffsets(group: "stage-g", producerId: 12, [tp1: CommittedOffset(offset: 99, commitTime: referenceDate)])
        try conform(sameOffset(try await store.committedOffsets(group: "stage-g")[tp0], committed), "staging leaves committed offsets alone")
        let pending = try await store.stagedTransactionalOffsets(group: "stage-g")
        try conform(pending.map(\.producerId) == [11, 12], "staged offsets are listed per producer, got \(pending.map(\.producerId))")
        try conform(pending.first.map { $0.offsets.count == 2 && sameOffset($0.offsets[tp0], staged) } ?? false,
                    "staging merges per partition and keeps every field, got \(String(describing: pending.first))")

        try await store.completeTransactionalOffsets(group: "stage-g", producerId: 11, commit: true)
        let afterCommit = try await store.committedOffsets(group: "stage-g")
        try conform(sameOffset(afterCommit[tp0], staged) && afterCommit[tp1]?.offset == 9, "a commit makes staged offsets committed, got \(afterCommit.mapValues(\.offset))")
        try await store.completeTransactionalOffsets(group: "stage-g", producerId: 12, commit: false)
        try conform(try await store.committedOffsets(group: "stage-g")[tp1]?.offset == 9, "an abort drops staged offsets")
        try conform(try await store.stagedTransactionalOffsets(group: "stage-g").isEmpty, "completed producers have nothing staged")
        try await store.completeTransactionalOffsets(group: "stage-g", producerId: 11, commit: true)
        try conform(try await store.committedOffsets(group: "stage-g")[tp0]?.offset == 42, "a repeated completion changes nothing")

        try await store.stageTransactionalOffsets(group: "stage-gone", producerId: 13, [tp0: staged])
        try await store.deleteGroup("stage-gone")
        try conform(try await store.stagedTransactionalOffsets(group: "stage-gone").isEmpty, "deleting a group drops its staged offsets")
    }

    func reopenKeepsTransactions() async throws {
        let state = TransactionStateRecord(transactionalId: "durable-txn", producerId: 77, producerEpoch: 3, lastProducerEpoch: 2,
                                           status: .prepareAbort, timeoutMs: 900_000, partitions: [TopicPartition("durable-t", 1)],
                                           groups: ["durable-tg"], startedAt: referenceDate, updatedAt: referenceDate)
        try await withStore { store in
            try await store.saveTransaction(state)
            try await store.stageTransactionalOffsets(group: "durable-tg", producerId: 77, [TopicPartition("durable-t", 1): CommittedOffset(offset: 8)])
        }
        try await withStore { store in
            let got = try await store.transaction("durable-txn")
            try conform(got.map { sameTransaction($0, state) } ?? false, "transaction state must survive a reopen, got \(String(describing: got))")
            let staged = try await store.stagedTransactionalOffsets(group: "durable-tg")
            try conform(staged.first?.offsets[TopicPartition("durable-t", 1)]?.offset == 8, "staged offsets must survive a reopen")
        }
    }
}

func sameTransaction(_ a: TransactionStateRecord, _ b: TransactionStateRecord) -> Bool {
    var a = a, b = b
    let datesMatch = sameMillisecond(a.updatedAt, b.updatedAt)
        && (a.startedAt == nil) == (b.startedAt == nil) && sameMillisecond(a.startedAt ?? a.updatedAt, b.startedAt ?? b.updatedAt)
    a.updatedAt = b.updatedAt
    a.startedAt = b.startedAt
    return datesMatch && a == b
}
