import Foundation
import SluiceKernel

/// Where a partition's sinking stands, as stored in the metadata store after the file
/// it names was fsynced: every record before `nextOffset` is in the files, and the
/// current file holds exactly `fileBytes` bytes of them.
///
/// Stored under the key `<topic>-<partition>` of the connector's positions as compact
/// JSON, e.g. `{"nextOffset":1200,"file":"00000000000000001000.log","fileBytes":5400,"fileCreatedMs":1700000000000}`.
struct SinkPosition: Sendable, Equatable, Codable {
    /// The offset of the next record to write.
    var nextOffset: Int64
    /// The file being appended to, or nil before the partition's first record.
    var file: String?
    /// Bytes of `file` that hold committed records; anything after them is a torn or
    /// uncommitted tail and is cut off on recovery.
    var fileBytes: Int64
    /// When `file` was created, in milliseconds since the epoch (for time rotation).
    var fileCreatedMs: Int64

    /// The positions key of a partition.
    static func key(_ tp: TopicPartition) -> String { "\(tp.topic)-\(tp.partition)" }

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding four scalars and an optional string cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    static func decode(_ value: String, key: String) throws(FileSinkError) -> SinkPosition {
        guard let position = try? JSONDecoder().decode(SinkPosition.self, from: Data(value.utf8)),
              position.nextOffset >= 0, position.fileBytes >= 0,
              position.file.map({ SinkDirectory.firstOffset(ofFileNamed: $0) != nil }) ?? (position.fileBytes == 0) else {
            throw .corruptPosition(key: key, value: value)
        }
        return position
    }
}

/// Loads and stores one connector's partition positions through the kernel's
/// `ConnectorPositionStore` (the metadata store behind it is the kernel's business).
struct PositionStore: Sendable {
    let store: any ConnectorPositionStore
    /// The connector's name in plugins.json; positions are kept per connector.
    let connector: String

    /// The stored position of `tp`, or nil when none was ever stored.
    func load(_ tp: TopicPartition) async throws(FileSinkError) -> SinkPosition? {
        let key = SinkPosition.key(tp)
        let positions: [String: String]
        do {
            positions = try await store.connectorPositions(connector: connector)
        } catch {
            throw .positionStore(connector: connector, key: key, reason: "\(error)")
        }
        guard let value = positions[key] else { return nil }
        return try SinkPosition.decode(value, key: key)
    }

    /// Stores the position of `tp`; durable when this returns (the metadata contract).
    func store(_ position: SinkPosition, for tp: TopicPartition) async throws(FileSinkError) {
        let key = SinkPosition.key(tp)
        do {
            try await store.setConnectorPositions(connector: connector, [key: position.encoded()])
        } catch {
            throw .positionStore(connector: connector, key: key, reason: "\(error)")
        }
    }
}
