import Foundation
import GRDB
import SluiceKernel

/// Everything a metadata file holds, read in one transaction: what
/// `sluice metadata dump` prints.
public struct MetadataSnapshot: Sendable, Equatable, Codable {
    /// The file it was read from.
    public var path: String
    /// Applied schema migrations, in the order this build registers them.
    public var schemaMigrations: [String]
    /// Registered topics, sorted by name.
    public var topics: [TopicRecord]
    /// Groups with offsets or state, sorted by name.
    public var groups: [Group]
    /// Connectors with stored positions, sorted by name.
    public var connectors: [Connector]

    /// One consumer group's stored state and committed offsets.
    public struct Group: Sendable, Equatable, Codable {
        /// The group id.
        public var name: String
        /// Protocol type and generation, when the group stored them.
        public var state: GroupStateRecord?
        /// Committed offsets, sorted by topic and partition.
        public var offsets: [Offset]
    }

    /// One committed offset of a group.
    public struct Offset: Sendable, Equatable, Codable {
        /// The topic name.
        public var topic: String
        /// The partition index.
        public var partition: Int32
        /// Offset, leader epoch, metadata and commit time.
        public var committed: CommittedOffset
    }

    /// One connector's stored positions.
    public struct Connector: Sendable, Equatable, Codable {
        /// The connector instance name.
        public var name: String
        /// Its positions by key, as the connector stored them.
        public var positions: [String: String]
    }

    /// Reads a snapshot within one read transaction of `db`.
    static func read(_ db: Database, path: String) throws -> MetadataSnapshot {
        let groups = try SQLiteQueries.groups(db).map { name in
            Group(name: name, state: try SQLiteQueries.groupState(db, group: name),
                  offsets: try SQLiteQueries.offsets(db, group: name).map {
                      Offset(topic: $0.0.topic, partition: $0.0.partition, committed: $0.1)
                  })
        }
        let connectors = try SQLiteQueries.connectorPositions(db)
            .map { Connector(name: $0.key, positions: $0.value) }
            .sorted { $0.name < $1.name }
        return MetadataSnapshot(path: path, schemaMigrations: try SQLiteSchema.migrator.appliedMigrations(db),
                                topics: try SQLiteQueries.topics(db), groups: groups, connectors: connectors)
    }
}

extension SQLiteMetadataStore {
    /// A consistent copy of the whole store, for debugging output.
    public func snapshot() async throws -> MetadataSnapshot {
        let path = url.path
        return try await database().read { db in try MetadataSnapshot.read(db, path: path) }
    }
}
