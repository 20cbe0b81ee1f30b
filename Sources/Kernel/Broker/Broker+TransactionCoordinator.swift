import Foundation

extension Broker {
    /// Connects the transaction coordinator to this broker's producer ids and group
    /// offsets, then starts it (it completes transactions a crash left half done).
    func startTransactionCoordinator() async throws {
        await transactions.attach(producerIds: { [weak self] in await self?.allocateProducerId() ?? -1 }, offsets: groups)
        try await transactions.start()
    }
}
