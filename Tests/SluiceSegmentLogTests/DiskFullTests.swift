import Foundation
import NIOCore
import SluiceKernel
import Testing
@testable import SluiceSegmentLog

/// Runs a child process in its own mount namespace with the data directory on a small
/// tmpfs, so writes really fail with ENOSPC.
@Suite("disk full")
struct DiskFullTests {
    static let directoryVariable = "SLUICE_SEGMENT_LOG_DISKFULL_DIR"
    static let tp = TopicPartition("full", 0)

    /// Whether this machine lets an unprivileged child mount a tmpfs (user + mount namespaces).
    static let canMountTmpfs: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /tmp"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    @Test(.enabled(if: canMountTmpfs, "needs unshare -rm to mount a private tmpfs"), .timeLimit(.minutes(2)))
    func aFullDiskFailsTheAppendCleanlyAndLaterAppendsWork() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = #"mount -t tmpfs -o size=384k tmpfs "$SLUICE_SEGMENT_LOG_DISKFULL_DIR" && exec "$0" "$@""#
        let child = try ChildProcess(test: "childFillsTheDisk", environment: [Self.directoryVariable: dir.path],
                                     wrapper: ["/usr/bin/unshare", "-rm", "sh", "-c", script])
        let exited = try await child.waitForExit(upTo: 90)
        #expect(exited, "the child finished within 90 s")
        #expect(child.process.terminationStatus == 0, "the child's checks passed: \(child.text.suffix(3000))")
        #expect(child.lines(startingWith: "DISK-FULL ").count == 1, "the child saw ENOSPC: \(child.text.suffix(1000))")
    }

    /// The child side: does nothing unless started by the test above.
    @Test func childFillsTheDisk() async throws {
        guard let path = ProcessInfo.processInfo.environment[Self.directoryVariable] else { return }
        let say: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
        // Ballast, removed later to free space.
        let ballast = path + "/ballast"
        #expect(FileManager.default.createFile(atPath: ballast, contents: Data(count: 96 * 1024)))
        let config = testConfiguration(segmentBytes: 1 << 20, indexIntervalBytes: 512, flush: .always)
        let storage = try SegmentLogStorage(configuration: config, directory: URL(fileURLWithPath: path), logger: quietLogger)
        let log = try await storage.open(Self.tp, config: PartitionLogConfig(segmentBytes: 1 << 20))
        var stored: [[UInt8]] = []
        var failure: (any Error)?
        for i in 0..<1000 {
            let next = batch(4, tag: "full\(i)", valueSize: 2000 + i % 300)
            do {
                let info = try await log.append([next])
                stored.append(storedBytes(next, baseOffset: info.firstOffset))
            } catch {
                failure = error
                break
            }
        }
        guard case StorageError.diskFull(let where_)? = failure else {
            Issue.record("expected diskFull, got \(String(describing: failure)) after \(stored.count) appends")
            return
        }
        say("DISK-FULL \(stored.count) appends fit; error names \(where_)")
        #expect(where_.hasPrefix(path))
        let logFile = path + "/full-0/00000000000000000000.log"
        let offsets = try await log.offsets()
        #expect(offsets.logEndOffset == Int64(stored.count * 4), "the failed append assigned no offsets")
        #expect(try fileSize(logFile) == offsets.sizeBytes, "the partial write was cut back")
        #expect(try await readAll(log).map { Array(buffer: $0.buffer) } == stored)
        // Still full: fails again the same way, still consistent.
        await #expect(throws: StorageError.diskFull(path: logFile)) { _ = try await log.append([batch(4, tag: "again", valueSize: 3000)]) }
        try FileManager.default.removeItem(atPath: ballast)
        let after = batch(2, tag: "after", valueSize: 100)
        let info = try await log.append([after])
        #expect(info.firstOffset == Int64(stored.count * 4), "appends continue where the log ended")
        stored.append(storedBytes(after, baseOffset: info.firstOffset))
        try await storage.close()
        let reopened = try SegmentLogStorage(configuration: config, directory: URL(fileURLWithPath: path), logger: quietLogger)
        let again = try await reopened.open(Self.tp, config: PartitionLogConfig(segmentBytes: 1 << 20))
        #expect(try await readAll(again).map { Array(buffer: $0.buffer) } == stored)
        try await reopened.close()
    }
}
