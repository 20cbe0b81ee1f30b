import Foundation
import SluiceKernel
import SluiceMemory
import Testing

/// Who keeps whom alive: the broker owns its transaction coordinator, which reaches the
/// broker back only weakly (markers, producer ids), so a broker that is shut down and
/// dropped is freed together with its coordinator.
@Suite("Broker lifetime")
struct BrokerLifetimeTests {
    @Test func aShutDownBrokerIsFreedWithItsTransactionCoordinator() async throws {
        weak var weakBroker: Broker?
        weak var weakCoordinator: TransactionCoordinator?
        do {
            let broker = try await makeBroker()
            let tp = TopicPartition("out", 0)
            try await broker.createTopic("out")
            // One committed transaction, so the coordinator has used the broker (producer
            // ids, KIP-890 verification, markers) before it is dropped.
            let producer = try await broker.transactions.initProducerId(transactionalId: "app", timeoutMs: 60_000, expected: nil).get()
            let added = await broker.transactions.addPartitions(transactionalId: "app", producerId: producer.producerId,
                                                                producerEpoch: producer.producerEpoch, partitions: [tp])
            #expect(added[tp] == .some(nil))
            _ = try await broker.produce(to: tp, bytes: txnBatch(["a"], pid: producer.producerId, epoch: producer.producerEpoch, seq: 0))
            #expect(await broker.transactions.endTransaction(transactionalId: "app", producerId: producer.producerId,
                                                             producerEpoch: producer.producerEpoch, commit: true) == nil)
            #expect(try await broker.listOffset(tp, .lastStable).offset == 2, "the commit marker was written through the broker")
            weakBroker = broker
            weakCoordinator = broker.transactions
            await broker.shutdown()
        }
        // Tasks that held a reference for a moment (the coordinator's timer) let go once
        // they notice the shutdown: bounded wait.
        let deadline = ContinuousClock.now + .seconds(10)
        while weakBroker != nil || weakCoordinator != nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(weakBroker == nil, "the broker is still referenced after shutdown")
        #expect(weakCoordinator == nil, "the transaction coordinator is still referenced after its broker was dropped")
    }
}
