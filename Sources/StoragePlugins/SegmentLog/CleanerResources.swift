/// What every partition's cleaner shares in one storage: the offset-map memory, the I/O
/// throttle, and a gate letting one clean run at a time, so the cleaner's memory is one
/// map of `offsetMapBytes` whatever the number of compacted partitions.
struct CleanerResources: Sendable {
    /// Bytes of the key → offset map of one clean (`cleanerOffsetMapBytes`).
    var offsetMapBytes: Int = SegmentLogStorageFactory.Configuration.defaultCleanerOffsetMapBytes
    var throttle = IOThrottle(bytesPerSecond: nil)
    var gate = CleanerGate()
}

/// One clean at a time, in arrival order.
actor CleanerGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}
