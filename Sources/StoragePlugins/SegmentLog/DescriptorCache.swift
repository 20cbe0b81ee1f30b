import Foundation
import Logging
import SluiceKernel
import Synchronization

/// The identity of one segment's `.log` file in the `DescriptorCache`, and the
/// "used since the clock hand last passed" bit that a hit sets without a hop to the
/// cache actor.
final class FileSlot: Sendable {
    let path: String
    private let used = Atomic<Bool>(true)

    init(path: String) {
        self.path = path
    }

    /// A use of the descriptor: the next eviction sweep passes over it once.
    func markUsed() { used.store(true, ordering: .relaxed) }

    /// Clears the bit, returning whether it was set (the sweep's second chance).
    func takeUsed() -> Bool { used.exchange(false, ordering: .relaxed) }
}

/// The open `.log` descriptors of every partition of one storage, at most `capacity`
/// of them (`maxOpenFiles`), evicted by the CLOCK approximation of least-recently-used.
///
/// The cache holds one reference to each open `LogFileHandle`; a read, fsync or file
/// region in flight holds another. Evicting drops only the cache's, so the descriptor is
/// closed when the last user lets go, never under one. A segment remembers its handle
/// weakly (`LogSegment.openFile`): a hit costs an atomic store and no hop here.
///
/// Index files hold no descriptor: they are read whole on first use and written through
/// short-lived descriptors.
actor DescriptorCache {
    /// The most descriptors the cache keeps open.
    nonisolated let capacity: Int
    private struct Entry {
        let slot: FileSlot
        let handle: LogFileHandle
    }
    private var ring: [Entry] = []
    private var positions: [ObjectIdentifier: Int] = [:]
    private var hand = 0
    /// Descriptors opened and evicted so far (for tests and benchmarks).
    private(set) var opened = 0
    private(set) var evicted = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Descriptors the cache holds now.
    var count: Int { ring.count }

    /// The open descriptor of `slot`'s file, opening it (and evicting another) when the
    /// cache does not hold it. An `EMFILE` from descriptors held outside the cache
    /// evicts more and retries before giving up.
    func open(_ slot: FileSlot) throws -> LogFileHandle {
        slot.markUsed()
        if let index = positions[ObjectIdentifier(slot)] { return ring[index].handle }
        var attempts = 0
        while true {
            do {
                let handle = LogFileHandle(descriptor: try FileIO.open(slot.path, create: false), path: slot.path)
                opened += 1
                insert(Entry(slot: slot, handle: handle))
                return handle
            } catch StorageError.io(_, _, let code) where (code == EMFILE || code == ENFILE) && attempts < 16 && !ring.isEmpty {
                attempts += 1
                remove(at: victim())
                evicted += 1
            }
        }
    }

    /// Drops the descriptor of a file being deleted or a partition being closed.
    func forget(_ slots: [FileSlot]) {
        for slot in slots {
            if let index = positions[ObjectIdentifier(slot)] { remove(at: index) }
        }
    }

    /// Drops every descriptor (the storage is closing).
    func removeAll() {
        ring = []
        positions = [:]
        hand = 0
    }

    private func insert(_ entry: Entry) {
        let id = ObjectIdentifier(entry.slot)
        if ring.count < capacity {
            positions[id] = ring.count
            ring.append(entry)
            return
        }
        let index = victim()
        positions.removeValue(forKey: ObjectIdentifier(ring[index].slot))
        ring[index] = entry
        positions[id] = index
        evicted += 1
    }

    /// The first entry from the hand on that was not used since the hand last passed.
    private func victim() -> Int {
        while true {
            if hand >= ring.count { hand = 0 }
            let index = hand
            hand += 1
            if !ring[index].slot.takeUsed() { return index }
        }
    }

    private func remove(at index: Int) {
        positions.removeValue(forKey: ObjectIdentifier(ring[index].slot))
        let last = ring.removeLast()
        if index < ring.count {
            ring[index] = last
            positions[ObjectIdentifier(last.slot)] = index
        }
    }
}

extension DescriptorCache {
    /// Descriptors kept free for sockets, SQLite, index writes and the like when the
    /// cache is sized from the open-file limit.
    static let reserve = 256
    /// The smallest cache: a partition's operation may need a few files at once.
    static let minimumCapacity = 16

    /// `configured`, or less when it does not fit under the soft `RLIMIT_NOFILE` minus
    /// `reserve` (logged).
    static func capacity(configured: Int, limit: OpenFileLimit?, logger: Logger) -> Int {
        guard let soft = limit?.soft else { return configured }
        let room = Int(min(soft, UInt64(Int.max))) - reserve
        guard configured > room else { return configured }
        let sized = max(minimumCapacity, room)
        logger.notice("maxOpenFiles does not fit under the open-file limit; using fewer", metadata: [
            "maxOpenFiles": "\(configured)", "using": "\(sized)", "limit": "\(limit!)", "reserve": "\(reserve)",
        ])
        return sized
    }
}
