import Foundation
import NIOConcurrencyHelpers

/// Runs one test of this test binary in a child process (the crash and disk-full tests
/// need a process to kill or a private mount), collecting its standard output.
final class ChildProcess: Sendable {
    let process: Process
    private let output = Output()

    private final class Output: Sendable {
        let state = NIOLockedValueBox<(text: String, finished: Bool)>(("", false))
        func withLock<R>(_ body: (inout (text: String, finished: Bool)) -> R) -> R { state.withLockedValue { body(&$0) } }
    }

    /// Starts `test` (a test function name) with `environment` added, optionally through
    /// a wrapper command such as `unshare`; the wrapper gets the binary and arguments last.
    init(test: String, environment: [String: String], wrapper: [String] = []) throws {
        let binary = CommandLine.arguments[0]
        let arguments = [binary, "--testing-library", "swift-testing", "--filter", test]
        let process = Process()
        if wrapper.isEmpty {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = Array(arguments.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: wrapper[0])
            process.arguments = Array(wrapper.dropFirst()) + arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        self.process = process
        try process.run()
        let fd = pipe.fileHandleForReading.fileDescriptor
        let reader = pipe.fileHandleForReading
        DispatchQueue.global().async { [output] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                let chunk = String(decoding: buffer[..<n], as: UTF8.self)
                output.withLock { $0.text += chunk }
            }
            output.withLock { $0.finished = true }
            withExtendedLifetime(reader) {}
        }
    }

    var pid: Int32 { process.processIdentifier }
    var text: String { output.withLock { $0.text } }

    /// Complete lines that start with `prefix`.
    func lines(startingWith prefix: String) -> [Substring] {
        let text = self.text
        let complete = text.hasSuffix("\n") ? Substring(text) : text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]
        return complete.split(separator: "\n").filter { $0.hasPrefix(prefix) }
    }

    /// Waits until `condition` holds for the output, at most `timeout` seconds.
    func wait(upTo timeout: Double, for condition: (ChildProcess) -> Bool) async throws -> Bool {
        let deadline = Date() + timeout
        while Date() < deadline {
            if condition(self) { return true }
            try await Task.sleep(for: .milliseconds(2))
        }
        return condition(self)
    }

    /// SIGKILL, then waits (bounded) for the process to be gone and its output drained.
    func kill() async throws {
        _ = Foundation.kill(pid, SIGKILL)
        _ = try await waitForExit(upTo: 10)
    }

    /// Waits for the process to exit and its output to end; false on timeout.
    func waitForExit(upTo timeout: Double) async throws -> Bool {
        let deadline = Date() + timeout
        while Date() < deadline {
            if !process.isRunning, output.withLock({ $0.finished }) {
                // Already exited, so this returns at once; it also runs Foundation's
                // termination bookkeeping, which otherwise keeps the Process alive.
                process.waitUntilExit()
                return true
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
