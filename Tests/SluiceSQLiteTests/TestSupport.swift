import Foundation
import GRDB
import SluiceKernel
@testable import SluiceSQLite
import Testing

/// Runs `body` with a fresh directory under the system temp dir, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("sluice-sqlite-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}

/// Opens a store, runs `body`, and closes it whether or not `body` threw.
func withStore<T>(at url: URL, _ body: (SQLiteMetadataStore) async throws -> T) async throws -> T {
    let store = try SQLiteMetadataStore(url: url)
    do {
        let result = try await body(store)
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}

/// Reads a value from a database file with a plain GRDB connection (not the store),
/// to check what is really on disk.
func inspectFile<T>(_ url: URL, _ read: @escaping @Sendable (Database) throws -> T) throws -> T {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(path: url.path, configuration: configuration)
    defer { try? queue.close() }
    return try queue.read(read)
}

/// The `MetadataError.unusable` message thrown by `body`, or `nil` (recorded as an
/// issue) when it threw something else or nothing.
func unusableMessage(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    do {
        try body()
        Issue.record("expected MetadataError.unusable, nothing was thrown", sourceLocation: sourceLocation)
    } catch MetadataError.unusable(let message) {
        return message
    } catch {
        Issue.record("expected MetadataError.unusable, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Fixed dates with sub-millisecond parts: they must come back bit-for-bit.
enum Fixture {
    static let created = Date(timeIntervalSinceReferenceDate: 800_000_000.123_456_7)
    static let committed = Date(timeIntervalSinceReferenceDate: 800_000_123.987_654_3)

    static let logs = TopicRecord(name: "logs", partitionCount: 3,
                                  configs: ["retention.ms": "3600000", "cleanup.policy": "delete"],
                                  createdAt: created)
    static let metrics = TopicRecord(name: "metrics", partitionCount: 1, createdAt: created)

    static let offsets: [TopicPartition: CommittedOffset] = [
        TopicPartition("logs", 0): CommittedOffset(offset: 42, leaderEpoch: 3, metadata: "m0", commitTime: committed),
        TopicPartition("logs", 2): CommittedOffset(offset: 7, leaderEpoch: nil, metadata: nil, commitTime: committed),
        TopicPartition("metrics", 0): CommittedOffset(offset: 0, leaderEpoch: 0, metadata: "", commitTime: committed),
    ]

    /// Fills a store with one of everything.
    static func populate(_ store: SQLiteMetadataStore) async throws {
        try await store.createTopic(logs)
        try await store.createTopic(metrics)
        try await store.commitOffsets(group: "readers", offsets)
        try await store.saveGroupState(GroupStateRecord(group: "readers", protocolType: "consumer",
                                                        generation: 5, updatedAt: committed))
        try await store.setConnectorPositions(connector: "archive", ["logs-0": "17", "logs-1": "4"])
    }
}
