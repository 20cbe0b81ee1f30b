import Dispatch
import Foundation
import SluiceKernel
import Synchronization

/// The disk's own figures for the same access pattern as the log, measured in the same
/// run: sequential `pwrite`s of one size to a growing file, fsynced after every write
/// (`always`), every interval from another thread (`interval`), or never (`never`);
/// and sequential 1 MiB `pread`s.
enum RawDiskBenchmark {
    /// Sequential writes of one size to a growing file, synced as `policy` says.
    final class Writer {
        let path: String
        let fd: CInt
        let chunk: [UInt8]
        let policy: FlushPolicy
        private var offset: Int64 = 0
        private let syncer: IntervalSyncer?

        init(in directory: URL, writeSize: Int, policy: FlushPolicy, flushIntervalMs: Int64) throws {
            path = directory.appendingPathComponent("raw-write").path
            fd = try FileIO.open(path, create: true)
            try FileIO.truncate(fd, to: 0, path: path)
            var generator = SystemRandomNumberGenerator()
            chunk = (0..<writeSize).map { _ in UInt8.random(in: 0...255, using: &generator) }
            self.policy = policy
            syncer = policy == .interval ? IntervalSyncer(fd: fd, path: path, intervalMs: flushIntervalMs) : nil
        }

        func write() throws {
            try chunk.withUnsafeBytes { raw in try FileIO.write(fd, raw, at: offset, path: path) }
            if policy == .always { try FileIO.sync(fd, path: path) }
            offset += Int64(chunk.count)
        }

        /// Stops the syncer, closes and removes the file.
        func finish() {
            syncer?.stop()
            _ = Foundation.close(fd)
            try? FileIO.remove(path)
        }
    }

    /// Writes `bytes` (not timed), then reads them back in 1 MiB `pread`s for at most
    /// `seconds`.
    static func read(in directory: URL, bytes: Int64, seconds: Double) throws -> SegmentLogBenchmark.Figure {
        let path = directory.appendingPathComponent("raw-read").path
        defer { try? FileIO.remove(path) }
        let fd = try FileIO.open(path, create: true)
        defer { _ = Foundation.close(fd) }
        let chunkSize = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        for i in 0..<chunkSize { buffer[i] = UInt8(truncatingIfNeeded: i &* 31) }
        var written: Int64 = 0
        while written < bytes {
            try FileIO.write(fd, UnsafeRawBufferPointer(buffer), at: written, path: path)
            written += Int64(chunkSize)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let limit = Duration.milliseconds(Int64(seconds * 1000))
        var read: Int64 = 0
        while read < written, clock.now - start < limit {
            read += Int64(try FileIO.read(fd, into: buffer, at: read, path: path))
        }
        return .init(name: "raw read, 1 MiB preads (page cache)", bytes: read, records: 0, seconds: (clock.now - start).seconds)
    }
}

/// Fsyncs a file every interval on its own thread until stopped, as the plugin's
/// background flusher does.
private final class IntervalSyncer: Sendable {
    private let running = Atomic<Bool>(true)
    private let done = DispatchSemaphore(value: 0)

    init(fd: CInt, path: String, intervalMs: Int64) {
        DispatchQueue.global().async { [self] in
            while running.load(ordering: .acquiring) {
                usleep(useconds_t(intervalMs * 1000))
                if running.load(ordering: .acquiring) { try? FileIO.sync(fd, path: path) }
            }
            done.signal()
        }
    }

    func stop() {
        running.store(false, ordering: .releasing)
        done.wait()
    }
}
