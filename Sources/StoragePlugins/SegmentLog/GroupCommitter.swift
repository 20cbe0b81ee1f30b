import Dispatch
import Foundation
import SluiceKernel

/// Runs `fdatasync` for every partition of a storage, off Swift's cooperative threads,
/// with group commit.
///
/// Callers that ask while a round of syncs is running wait for the next round, which
/// syncs every file they asked for at once, each file once, on parallel threads, so the
/// file system can fold them into one journal commit. With many producers on different
/// partitions under `flush: always`, the number of journal commits then grows with
/// the rounds, not with the appends.
///
/// Blocking calls stay off the cooperative pool (two threads on a two-core machine)
/// because an fsync can take milliseconds to seconds.
actor GroupCommitter {
    private struct Waiter: Sendable {
        var files: [LogFileHandle]
        var continuation: CheckedContinuation<Void, any Error>
    }

    private var pending: [Waiter] = []
    private var syncing = false
    /// Serial queues, each its own thread: fsyncs of one round run in parallel on them.
    private static let lanes = (0..<8).map { DispatchQueue(label: "sluice.segment-log.fsync.\($0)") }
    private static let blockingWork = DispatchQueue(label: "sluice.segment-log.blocking", attributes: .concurrent)

    /// Syncs (`fdatasync`) every file in `files`; returns once they are durable.
    func sync(_ files: [LogFileHandle]) async throws {
        guard !files.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            pending.append(Waiter(files: files, continuation: continuation))
            if !syncing { startRound() }
        }
    }

    private func startRound() {
        syncing = true
        let round = pending
        pending = []
        var seen = Set<ObjectIdentifier>()
        let files = round.flatMap(\.files).filter { seen.insert(ObjectIdentifier($0)).inserted }
        Self.syncAll(files) { failures in
            // Waiters resume straight from the fsync thread; only the bookkeeping for the
            // next round goes through the actor, off the appenders' critical path.
            Self.resume(round, failures: failures)
            Task { await self.roundFinished() }
        }
    }

    /// Fsyncs `files` in parallel on the lanes, then reports the failures by file.
    private nonisolated static func syncAll(_ files: [LogFileHandle],
                                            then report: @escaping @Sendable ([ObjectIdentifier: any Error]) -> Void) {
        if files.count == 1, let file = files.first {
            lanes[0].async {
                do {
                    try FileIO.sync(file.descriptor, path: file.path)
                    report([:])
                } catch {
                    report([ObjectIdentifier(file): error])
                }
            }
            return
        }
        let group = DispatchGroup()
        let results = SyncResults(count: files.count)
        for (i, file) in files.enumerated() {
            lanes[i % lanes.count].async(group: group) {
                do { try FileIO.sync(file.descriptor, path: file.path) } catch { results.set(i, error) }
            }
        }
        group.notify(queue: blockingWork) {
            var failures: [ObjectIdentifier: any Error] = [:]
            for (i, file) in files.enumerated() { if let error = results.get(i) { failures[ObjectIdentifier(file)] = error } }
            report(failures)
        }
    }

    private nonisolated static func resume(_ round: [Waiter], failures: [ObjectIdentifier: any Error]) {
        for waiter in round {
            if let error = waiter.files.lazy.compactMap({ failures[ObjectIdentifier($0)] }).first {
                waiter.continuation.resume(throwing: error)
            } else {
                waiter.continuation.resume()
            }
        }
    }

    private func roundFinished() {
        if pending.isEmpty { syncing = false } else { startRound() }
    }

    /// Runs blocking file work (an atomic checkpoint write, a directory fsync) off the
    /// cooperative pool.
    nonisolated func run(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Self.blockingWork.async {
                do {
                    try work()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// One slot per file of a round; each slot is written by exactly one lane and read only
/// after the round's `DispatchGroup` completes, which orders the accesses.
private final class SyncResults: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<(any Error)?>

    init(count: Int) {
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ error: any Error) { slots[index] = error }
    func get(_ index: Int) -> (any Error)? { slots[index] }
}
