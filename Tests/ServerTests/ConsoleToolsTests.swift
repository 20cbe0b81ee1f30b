import Foundation
import Testing

/// A real `sluice serve` (segment-log + sqlite in a temp dir) on a free 127.0.0.1 port.
final class TestBroker: @unchecked Sendable {
    let dir: TemporaryDirectory
    let process = Process()
    let bootstrap: String

    init(autoCreate: Bool = false) async throws {
        dir = try TemporaryDirectory()
        let portFile = dir.url.appendingPathComponent("port").path
        let config = try dir.write("plugins.json", """
            { "broker": { "dataDir": "\(dir.url.appendingPathComponent("data").path)", "autoCreateTopics": \(autoCreate) },
              "storage": { "plugin": "segment-log" },
              "metadata": { "plugin": "sqlite", "config": { "path": "\(dir.url.appendingPathComponent("meta.sqlite").path)" } },
              "protocols": [ { "plugin": "kafka", "config": { "listen": "127.0.0.1:0", "portFile": "\(portFile)" } } ] }
            """)
        process.executableURL = SluiceBinary.url
        process.arguments = ["serve", "--config", config.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(90)
        var found: String?
        while ContinuousClock.now < deadline && process.isRunning {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), text.contains(":") {
                found = text.trimmingCharacters(in: .whitespacesAndNewlines)
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            throw CLITestError("sluice serve did not write its port file within 90s")
        }
        bootstrap = found
    }

    /// Runs `sluice ARGS --bootstrap <this broker>`.
    func run(_ args: [String]) async throws -> SluiceBinary.Result {
        try await SluiceBinary.run(args + ["--bootstrap", bootstrap], timeout: .seconds(120))
    }

    /// Like `run`, with stdout going to a file (the pipe of `SluiceBinary.run` is only read
    /// after exit, so large output would block); SIGKILL after 30 s.
    func runLarge(_ args: [String]) async throws -> SluiceBinary.Result {
        let outURL = dir.url.appendingPathComponent("out-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let errURL = dir.url.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let err = try FileHandle(forWritingTo: errURL)
        let child = Process()
        child.executableURL = SluiceBinary.url
        child.arguments = args + ["--bootstrap", bootstrap]
        child.standardOutput = out
        child.standardError = err
        try child.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while child.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if child.isRunning { kill(child.processIdentifier, SIGKILL) }
        child.waitUntilExit()
        try out.close()
        try err.close()
        return SluiceBinary.Result(status: child.terminationStatus,
                                   stdout: try String(contentsOf: outURL, encoding: .utf8),
                                   stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

struct CLITestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite("sluice console tools against a real server", .serialized)
struct ConsoleToolsTests {
    @Test func topicsLifecycle() async throws {
        let broker = try await TestBroker()
        defer { broker.stop() }
        var r = try await broker.run(["topics", "create", "orders", "--partitions", "2", "--config", "retention.ms=3600000"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try await broker.run(["topics", "list"])
        #expect(r.stdout.contains("orders") && r.stdout.contains("2"), "\(r.stdout)")
        r = try await broker.run(["topics", "describe", "orders"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("LOG END"))
        #expect(r.stdout.contains("retention.ms") && r.stdout.contains("3600000") && r.stdout.contains("DYNAMIC_TOPIC_CONFIG"), "\(r.stdout)")
        r = try await broker.run(["topics", "alter", "orders", "--partitions", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try await broker.run(["topics", "describe", "orders", "--output", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((object?["partitions"] as? [Any])?.count == 3, "\(r.stdout)")
        // Config changes: set one override, remove another; the rest stay.
        r = try await broker.run(["topics", "alter", "orders", "--config", "segment.bytes=1048576", "--delete-config", "retention.ms"])
        #expect(r.status == 0, "\(r.stderr)")
        func config(_ key: String) async throws -> [String: String]? {
            let r = try await broker.run(["topics", "describe", "orders", "--output", "json"])
            let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            return (object?["configs"] as? [[String: String]])?.first { $0["config"] == key }
        }
        #expect(try await config("segment.bytes")?["value"] == "1048576")
        #expect(try await config("segment.bytes")?["source"] == "DYNAMIC_TOPIC_CONFIG")
        #expect(try await config("retention.ms")?["source"] != "DYNAMIC_TOPIC_CONFIG", "the override is gone")
        r = try await broker.run(["topics", "alter", "orders", "--config", "retention.ms=soon"])
        #expect(r.status != 0 && r.stderr.contains("INVALID_CONFIG") && r.stderr.contains("retention.ms"), "\(r.stderr)")
        #expect(try await config("segment.bytes")?["value"] == "1048576", "a refused change leaves the configs as they were")
        r = try await broker.run(["topics", "delete", "orders", "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try await broker.run(["topics", "list", "--output", "json"])
        #expect(!r.stdout.contains("orders"))
        // Errors say what to do.
        r = try await broker.run(["topics", "describe", "orders"])
        #expect(r.status != 0 && r.stderr.contains("sluice topics create orders"), "\(r.stderr)")
        r = try await SluiceBinary.run(["topics", "list", "--bootstrap", "127.0.0.1:1"])
        #expect(r.status != 0 && r.stderr.contains("is `sluice serve` running?"), "\(r.stderr)")
    }

    @Test func produceConsumeRoundTrip() async throws {
        let broker = try await TestBroker()
        defer { broker.stop() }
        let lines = (0..<10_000).map { "line \($0) \(String(repeating: "x", count: $0 % 50))" }
        let input = try broker.dir.write("in.txt", lines.joined(separator: "\n") + "\n")

        var r = try await broker.run(["produce", "events", "--file", input.path])
        #expect(r.status != 0 && r.stderr.contains("does not exist"), "produce must fail without the topic: \(r.stderr)")

        r = try await broker.run(["topics", "create", "events", "--partitions", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        r = try await broker.run(["produce", "events", "--file", input.path, "--batch-size", "700"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("produced 10000 records"), "\(r.stderr)")
        r = try await broker.runLarge(["consume", "events", "--from-beginning", "--exit-at-end"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == lines.joined(separator: "\n") + "\n", "consumed \(r.stdout.split(separator: "\n").count) lines")

        r = try await broker.run(["consume", "events", "--offset", "9998", "--exit-at-end", "--format", "%o:%s\\n"])
        #expect(r.stdout == "9998:\(lines[9998])\n9999:\(lines[9999])\n", "\(r.stdout)")
        r = try await broker.run(["consume", "events", "--offset", "earliest", "--max-messages", "3"])
        #expect(r.stdout == lines[0..<3].joined(separator: "\n") + "\n")

        // From a timestamp: only records produced after it.
        try await Task.sleep(for: .milliseconds(20))
        let cut = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(cut > before)
        let later = try broker.dir.write("later.txt", "k1:after-1\nk2:after-2\n")
        r = try await broker.run(["produce", "events", "--file", later.path, "--key-separator", ":", "--header", "src=test"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try await broker.run(["consume", "events", "--timestamp", "\(cut)", "--exit-at-end", "--format", "%o %k=%s %h\\n"])
        #expect(r.stdout == "10000 k1=after-1 src=test\n10001 k2=after-2 src=test\n", "\(r.stdout)")
    }

    @Test func groupsLagAndReset() async throws {
        let broker = try await TestBroker()
        defer { broker.stop() }
        var r = try await broker.run(["topics", "create", "pay", "--partitions", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let first = try broker.dir.write("a.txt", (1...5).map { "a\($0)" }.joined(separator: "\n") + "\n")
        r = try await broker.run(["produce", "pay", "--file", first.path])
        #expect(r.status == 0, "\(r.stderr)")
        r = try await broker.run(["consume", "pay", "--group", "billing", "--from-beginning", "--exit-at-end"])
        #expect(r.stdout.split(separator: "\n").count == 5, "\(r.stdout)")

        func lag() async throws -> (current: String, end: String, lag: String)? {
            let r = try await broker.run(["groups", "describe", "billing", "--output", "json"])
            let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: String]]
            guard let row = rows?.first(where: { $0["topic"] == "pay" && $0["partition"] == "0" }) else { return nil }
            return (row["current-offset"] ?? "", row["log-end-offset"] ?? "", row["lag"] ?? "")
        }
        var state = try await lag()
        #expect(state?.current == "5" && state?.lag == "0", "\(String(describing: state))")
        r = try await broker.run(["groups", "list"])
        #expect(r.stdout.contains("billing"))

        let more = try broker.dir.write("b.txt", (1...3).map { "b\($0)" }.joined(separator: "\n") + "\n")
        r = try await broker.run(["produce", "pay", "--file", more.path])
        state = try await lag()
        #expect(state?.end == "8" && state?.lag == "3", "\(String(describing: state))")

        // The group continues where it committed.
        r = try await broker.run(["consume", "pay", "--group", "billing", "--exit-at-end"])
        #expect(r.stdout == "b1\nb2\nb3\n", "\(r.stdout)")
        state = try await lag()
        #expect(state?.lag == "0")

        // Dry run changes nothing; --execute does.
        r = try await broker.run(["groups", "reset-offsets", "billing", "--topic", "pay", "--to-offset", "2"])
        #expect(r.status == 0 && r.stderr.contains("dry run"), "\(r.stderr)")
        state = try await lag()
        #expect(state?.current == "8")
        r = try await broker.run(["groups", "reset-offsets", "billing", "--topic", "pay", "--to-offset", "2", "--execute"])
        #expect(r.status == 0, "\(r.stderr)")
        state = try await lag()
        #expect(state?.current == "2" && state?.lag == "6", "\(String(describing: state))")
        r = try await broker.run(["groups", "reset-offsets", "billing", "--topic", "pay", "--to-earliest", "--execute"])
        state = try await lag()
        #expect(state?.current == "0")

        r = try await broker.run(["groups", "delete", "billing"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try await broker.run(["groups", "list", "--output", "json"])
        #expect(!r.stdout.contains("billing"))
    }
}
