import Foundation
import SluiceKernel
import Testing
@testable import SluiceFileSink

/// Destination failures on real files: the sink logs what failed and how to fix it,
/// retries with backoff, and once the fix is made every record is there exactly once.
@Suite("File sink survives destination errors", .serialized)
struct DestinationErrorTests {
    @Test func permissionDeniedDirectoryThenFixedLosesNothing() async throws {
        let harness = try await SinkHarness()
        try await harness.broker.createTopic("locked")
        let tp = TopicPartition("locked", 0)
        let sink = harness.start(harness.settings(["locked"]) { $0.rotateBytes = 4096 })
        try await harness.produce(tp, count: 500)
        try await harness.waitForPosition([tp], 500)

        let dir = "\(harness.root)/locked/0"
        let lock = try #require(WriteLock(directory: dir), "cannot make \(dir) refuse writes (neither chmod nor chattr +i works here)")
        print("destination error test: \(dir) made unwritable with \(lock.mechanism)")
        try await harness.produce(tp, count: 1500, from: 500)
        // Rotation needs a new file in the locked directory: the sink must stall, log, retry.
        let deadline = ContinuousClock.now + .seconds(120)
        while !harness.logText.contains("file sink stalled") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(500))
        let stalledAt = try #require(try await harness.position(tp)).nextOffset
        #expect(stalledAt < 2000, "the sink cannot have finished while the directory refused writes")
        lock.release()

        try await harness.waitForPosition([tp], 2000)
        try await sink.stop()
        #expect(try harness.lines(tp) == (0..<2000).map { "record-\($0)" })
        let log = harness.logText
        #expect(log.contains("Permission denied") || log.contains("Operation not permitted"), "\(log)")
        #expect(log.contains("let the user running sluice write there"), "the error says how to fix it")
        #expect(log.contains("retrying in"), "the error says it is retried")
    }

    @Test func somethingInTheWayOfTheDirectoryIsReportedAndRetried() async throws {
        let harness = try await SinkHarness()
        try await harness.broker.createTopic("blocked")
        let tp = TopicPartition("blocked", 0)
        try FileManager.default.createDirectory(atPath: harness.root, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(harness.root)/blocked", contents: Data("not a directory".utf8))
        try await harness.produce(tp, count: 100)
        let sink = harness.start(harness.settings(["blocked"]))
        while !harness.logText.contains("is in the way") { try await Task.sleep(for: .milliseconds(20)) }
        try FileManager.default.removeItem(atPath: "\(harness.root)/blocked")
        try await harness.waitForPosition([tp], 100)
        try await sink.stop()
        #expect(try harness.lines(tp) == (0..<100).map { "record-\($0)" })
    }

    @Test(.enabled(if: TmpfsMount.isPossible, "needs CAP_SYS_ADMIN to mount a small tmpfs"))
    func diskFullThenSpaceFreedLosesNothing() async throws {
        let harness = try await SinkHarness()
        let mount = try #require(TmpfsMount(at: harness.root, sizeKiB: 256))
        defer { mount.unmount() }
        try await harness.broker.createTopic("full")
        let tp = TopicPartition("full", 0)
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 1000)
        try await harness.produce(tp, count: 600, batchSize: 50) { Array("\($0)-".utf8) + big }
        let sink = harness.start(harness.settings(["full"]) { $0.rotateBytes = 64 * 1024 })
        let deadline = ContinuousClock.now + .seconds(120)
        while !harness.logText.contains("No space left on device") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(harness.logText.contains("the disk is full"))
        try mount.resize(sizeKiB: 4096)
        try await harness.waitForPosition([tp], 600)
        try await sink.stop()
        let lines = try harness.lines(tp)
        #expect(lines.count == 600)
        #expect(lines.enumerated().allSatisfy { $0.element.hasPrefix("\($0.offset)-") }, "every record once, in order")
    }
}

/// Makes a directory refuse new entries: `chmod 0555` for ordinary users; for root,
/// which chmod does not stop, the immutable attribute (`chattr +i`, EPERM).
struct WriteLock {
    let directory: String
    let mechanism: String

    init?(directory: String) {
        self.directory = directory
        chmod(directory, 0o555)
        if !Self.canCreate(in: directory) {
            mechanism = "chmod 0555 (EACCES)"
            return
        }
        chmod(directory, 0o755)
        if run("/usr/bin/chattr", ["+i", directory]) == 0, !Self.canCreate(in: directory) {
            mechanism = "chattr +i (EPERM; running as root, which chmod does not stop)"
            return
        }
        _ = run("/usr/bin/chattr", ["-i", directory])
        return nil
    }

    func release() {
        _ = run("/usr/bin/chattr", ["-i", directory])
        chmod(directory, 0o755)
    }

    private static func canCreate(in directory: String) -> Bool {
        let probe = directory + "/.probe"
        let fd = open(probe, O_WRONLY | O_CREAT, 0o644)
        guard fd >= 0 else { return false }
        close(fd)
        unlink(probe)
        return true
    }
}

/// A small tmpfs mounted over a test directory, to fill a disk for real.
struct TmpfsMount {
    let path: String

    static let isPossible: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("tmpfs-probe-\(getpid())").path
        guard let mount = TmpfsMount(at: probe, sizeKiB: 64) else { return false }
        mount.unmount()
        try? FileManager.default.removeItem(atPath: probe)
        return true
    }()

    init?(at path: String, sizeKiB: Int) {
        self.path = path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeKiB)k", "tmpfs", path]) == 0 else { return nil }
    }

    func resize(sizeKiB: Int) throws {
        guard run("/bin/mount", ["-o", "remount,size=\(sizeKiB)k", path]) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    func unmount() { _ = run("/bin/umount", ["-l", path]) }
}

/// Runs a command, returning its exit status (-1 when it cannot start).
@discardableResult
func run(_ executable: String, _ arguments: [String]) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}
