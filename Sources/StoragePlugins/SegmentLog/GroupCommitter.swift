import Dispatch
import Foundation
import NIOConcurrencyHelpers
import SluiceKernel

/// Runs `fdatasync` for every partition of a storage, off Swift's cooperative threads,
/// with group commit.
///
/// One leader thread runs rounds while anyone waits: it takes every waiting request,
/// syncs each file they name once — several files in parallel on helper threads, so
/// the file system can fold them into one journal commit — and resumes the waiters.
/// Requests that arrive during a round join the next one. With many producers on
/// different partitions under `flush: always`, journal commits then grow with the
/// rounds, not with the appends.
///
/// Blocking calls stay off the cooperative pool (two threads on a two-core machine)
/// because an fsync can take milliseconds to seconds. The waiting list sits behind a
/// lock rather than in an actor: the leader is a plain thread that takes the next
/// round right after the last one, and a hop through an actor for that would add a
/// thread wake-up to every `always` append. The lock is NIO's pthread mutex, not the
/// standard library's `Mutex`, whose futex calls ThreadSanitizer cannot see on Linux
/// (it then reports every access the lock guards as a race).
final class GroupCommitter: Sendable {
    private struct Waiter: Sendable {
        var files: [LogFileHandle]
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var pending: [Waiter] = []
        var leading = false
    }

    private let state = NIOLockedValueBox(State())
    /// The leader's thread, then helpers for the other files of a round.
    private static let lanes = (0..<8).map { DispatchQueue(label: "sluice.segment-log.fsync.\($0)") }
    private static let blockingWork = DispatchQueue(label: "sluice.segment-log.blocking", attributes: .concurrent)

    /// Syncs (`fdatasync`) every file in `files`; returns once they are durable.
    func sync(_ files: [LogFileHandle]) async throws {
        guard !files.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startLeader = state.withLockedValue { state in
                state.pending.append(Waiter(files: files, continuation: continuation))
                defer { state.leading = true }
                return !state.leading
            }
            if startLeader { Self.lanes[0].async { self.lead() } }
        }
    }

    /// Runs rounds until nobody waits.
    private func lead() {
        while true {
            let round = state.withLockedValue { state in
                let round = state.pending
                state.pending = []
                if round.isEmpty { state.leading = false }
                return round
            }
            guard !round.isEmpty else { return }
            var seen = Set<ObjectIdentifier>()
            let files = round.flatMap(\.files).filter { seen.insert(ObjectIdentifier($0)).inserted }
            let failures = Self.syncAll(files)
            for waiter in round {
                if let error = waiter.files.lazy.compactMap({ failures[ObjectIdentifier($0)] }).first {
                    waiter.continuation.resume(throwing: error)
                } else {
                    waiter.continuation.resume()
                }
            }
        }
    }

    /// Fsyncs `files`, the first on this thread and the others in parallel on the
    /// helper lanes; returns the failures by file.
    private static func syncAll(_ files: [LogFileHandle]) -> [ObjectIdentifier: any Error] {
        let results = SyncResults(count: files.count)
        let group = DispatchGroup()
        for (i, file) in files.enumerated().dropFirst() {
            lanes[1 + (i - 1) % (lanes.count - 1)].async(group: group) {
                do { try FileIO.sync(file.descriptor, path: file.path) } catch { results.set(i, error) }
            }
        }
        do { try FileIO.sync(files[0].descriptor, path: files[0].path) } catch { results.set(0, error) }
        group.wait()
        var failures: [ObjectIdentifier: any Error] = [:]
        for (i, file) in files.enumerated() { if let error = results.get(i) { failures[ObjectIdentifier(file)] = error } }
        return failures
    }

    /// Runs blocking file work (an atomic checkpoint write, a directory fsync) off the
    /// cooperative pool.
    func run(_ work: @escaping @Sendable () throws -> Void) async throws {
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
