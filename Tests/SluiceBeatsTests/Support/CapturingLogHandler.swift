import Foundation
import Logging

/// Log lines kept in memory so tests can check that a refusal was explained.
final class CapturedLogs: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(Logger.Level, String)] = []

    func append(_ level: Logger.Level, _ message: String) {
        lock.lock()
        defer { lock.unlock() }
        lines.append((level, message))
    }

    var all: [(level: Logger.Level, message: String)] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    /// True when some line at `level` or above contains `text`.
    func contains(_ text: String, atLeast level: Logger.Level = .trace) -> Bool {
        all.contains { $0.level >= level && $0.message.contains(text) }
    }
}

struct CapturingLogHandler: LogHandler {
    let logs: CapturedLogs
    var logLevel: Logger.Level = .debug
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let suffix = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        logs.append(event.level, "\(event.message)\(suffix)")
    }
}

/// A lock-protected value shared between a test and a client thread.
final class Shared<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func update(_ change: (inout Value) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        change(&stored)
    }
}
