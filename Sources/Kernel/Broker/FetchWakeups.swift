import Synchronization

/// One broker's wake-up for fetches that wait on partitions they did not read (a fetch
/// session's unchanged partitions, `PartitionFetchMark`): a generation counter that every
/// partition change moves, and a bell that wakes every parked fetch when it does. A woken
/// fetch checks its marks (atomic loads, no hops) and parks again if none of its partitions
/// moved. Parking costs the same for 1 or 1,000 partitions; the price is that a change of
/// any partition wakes every parked fetch, which is cheap next to hopping to each partition
/// on every fetch. Rings are coalesced: at most one is on its way at a time.
final class FetchWakeups: Sendable {
    private let generation = Atomic<UInt64>(0)
    private let parked = Atomic<Int>(0)
    fileprivate let ringing = Atomic<Bool>(false)
    private let bell = FetchBell()

    init() {}

    /// The generation now; a fetch takes it before checking its marks and parks with it.
    var current: UInt64 { generation.load(ordering: .sequentiallyConsistent) }

    func changed() {
        generation.add(1, ordering: .sequentiallyConsistent)
        guard parked.load(ordering: .sequentiallyConsistent) > 0,
              ringing.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else { return }
        Task { [bell] in await bell.ring(self) }
    }

    /// Returns once the generation has moved past `seen` (at once if it already has), or
    /// when the task is cancelled.
    func wait(after seen: UInt64) async {
        parked.add(1, ordering: .sequentiallyConsistent)
        defer { parked.subtract(1, ordering: .sequentiallyConsistent) }
        await bell.park(after: seen, in: self)
    }
}

/// The parked fetches of a `FetchWakeups`.
private actor FetchBell {
    private var sleepers: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextID: UInt64 = 0

    func ring(_ wakeups: FetchWakeups) {
        // Cleared first: a change after this point rings again.
        wakeups.ringing.store(false, ordering: .sequentiallyConsistent)
        let woken = sleepers
        sleepers.removeAll()
        for continuation in woken.values { continuation.resume() }
    }

    func park(after seen: UInt64, in wakeups: FetchWakeups) async {
        // A ring queued before this park ran after the generation moved, so this sees it.
        if wakeups.current != seen || Task.isCancelled { return }
        let id = nextID
        nextID += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { sleepers[id] = $0 }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    private func cancel(_ id: UInt64) {
        sleepers.removeValue(forKey: id)?.resume()
    }
}
