import Foundation

extension Broker {
    /// Connects the transaction coordinator to this broker's producer ids, group offsets
    /// and partitions (markers; KIP-890 verification of transactional produce), then
    /// starts it (it completes transactions a crash left half done).
    func startTransactionCoordinator() async throws {
        await transactions.attach(producerIds: { [weak self] in await self?.allocateProducerId() ?? -1 }, offsets: groups)
        await transactions.attach(markers: self)
        setTransactionVerifier(transactions)
        try await transactions.start()
    }
}
