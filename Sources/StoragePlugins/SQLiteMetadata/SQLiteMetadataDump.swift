import Foundation
import GRDB
import SluiceKernel

/// `sluice metadata dump`: the registry, group offsets and connector positions of a
/// metadata file, as text for people or JSON for tools.
///
/// Reading never creates, migrates or otherwise writes the file, so it is safe on a
/// file a running broker is using (WAL lets the reader see the last committed state)
/// and on a file a newer or foreign program owns (it is refused, not touched).
public enum SQLiteMetadataDump {
    /// Output formats.
    public enum Format: String, Sendable, CaseIterable {
        /// Indented lines, one topic, group, offset or position per line.
        case text
        /// Pretty-printed JSON with sorted keys; dates in ISO 8601 with milliseconds.
        case json
    }

    /// Reads the metadata file at `url` read-only.
    /// - Throws: `MetadataError.unusable` when there is no file, or it is not a usable
    ///   Sluice metadata file.
    public static func snapshot(of url: URL, busyTimeout: TimeInterval = 5) throws -> MetadataSnapshot {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw SQLiteFileInspector.unusable(path, "does not exist. Pass the broker's metadata path "
                + "(broker.dataDir joined with metadata.config.path).")
        }
        guard case .sluice = try SQLiteFileInspector.inspect(url, busyTimeout: busyTimeout) else {
            throw SQLiteFileInspector.unusable(path, "is empty: no broker has stored metadata in it yet.")
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: SQLiteOpening.configuration(
                busyTimeout: busyTimeout, readonly: true))
            defer { try? queue.close() }
            return try queue.read { db in try MetadataSnapshot.read(db, path: path) }
        } catch let error as MetadataError {
            throw error
        } catch {
            throw SQLiteFileInspector.unusable(path, "could not be read: \(error)")
        }
    }

    /// Reads the file at `url` and renders it in `format`.
    public static func dump(_ url: URL, format: Format = .text) throws -> String {
        try render(snapshot(of: url), format: format)
    }

    /// Renders a snapshot in `format`.
    public static func render(_ snapshot: MetadataSnapshot, format: Format) -> String {
        switch format {
        case .text: text(snapshot)
        case .json: json(snapshot)
        }
    }

    private static func json(_ snapshot: MetadataSnapshot) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        // Every field is a string, number, date or UUID: encoding cannot fail.
        let data = (try? encoder.encode(snapshot)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func text(_ snapshot: MetadataSnapshot) -> String {
        var lines = ["metadata file \(snapshot.path)",
                     "schema: \(snapshot.schemaMigrations.joined(separator: ", "))", ""]
        lines.append("topics (\(snapshot.topics.count))")
        for topic in snapshot.topics {
            lines.append("  \(topic.name)  id=\(topic.id.uuidString.lowercased())  partitions=\(topic.partitionCount)"
                + "  created=\(timestamp(topic.createdAt))")
            for key in topic.configs.keys.sorted() { lines.append("    \(key)=\(topic.configs[key]!)") }
        }
        lines.append("")
        lines.append("groups (\(snapshot.groups.count))")
        for group in snapshot.groups {
            var header = "  \(group.name)"
            if let state = group.state {
                header += "  protocol=\(state.protocolType ?? "-")  generation=\(state.generation)"
                    + "  updated=\(timestamp(state.updatedAt))"
                for instance in state.staticMembers.keys.sorted() { header += "  static[\(instance)]=\(state.staticMembers[instance]!)" }
            }
            lines.append(header)
            for entry in group.offsets {
                let c = entry.committed
                var line = "    \(entry.topic)-\(entry.partition)  offset=\(c.offset)"
                if let epoch = c.leaderEpoch { line += "  leaderEpoch=\(epoch)" }
                if let metadata = c.metadata, !metadata.isEmpty { line += "  metadata=\(quoted(metadata))" }
                lines.append(line + "  committed=\(timestamp(c.commitTime))")
            }
        }
        lines.append("")
        lines.append("connectors (\(snapshot.connectors.count))")
        for connector in snapshot.connectors {
            lines.append("  \(connector.name)")
            for key in connector.positions.keys.sorted() {
                lines.append("    \(key)=\(connector.positions[key]!)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// ISO 8601 in UTC with milliseconds, e.g. `2026-11-20T09:15:02.345Z`.
    static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    private static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
