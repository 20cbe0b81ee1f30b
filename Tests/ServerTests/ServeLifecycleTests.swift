import Foundation
import Testing

@Suite("sluice serve lifecycle")
struct ServeLifecycleTests {
    /// Starts on a config, then SIGINT/SIGTERM stop it cleanly with exit 0.
    @Test(arguments: [SIGINT, SIGTERM])
    func stopsCleanlyOnSignal(_ signal: Int32) async throws {
        let dir = try TemporaryDirectory()
        let config = try dir.write("plugins.json", #"{ "storage": { "plugin": "memory" }, "metadata": { "plugin": "memory" } }"#)
        let process = Process()
        process.executableURL = SluiceBinary.url
        process.arguments = ["serve", "--config", config.path, "--pid-file", dir.url.appendingPathComponent("sluice.pid").path]
        process.currentDirectoryURL = dir.url
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let pidFile = dir.url.appendingPathComponent("sluice.pid")
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: pidFile.path) && process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(process.isRunning, "serve must keep running until signalled")
        let pid = try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(pid == "\(process.processIdentifier)")
        kill(process.processIdentifier, signal)
        let stopDeadline = ContinuousClock.now + .seconds(30)
        while process.isRunning && ContinuousClock.now < stopDeadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(log)")
        #expect(log.contains("sluice stopped cleanly"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: pidFile.path), "the pid file is removed on exit")
    }
}
