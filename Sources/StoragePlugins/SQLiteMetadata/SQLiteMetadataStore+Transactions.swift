import Foundation
import GRDB
import SluiceKernel

/// Transaction coordinator state and offsets staged by open transactions.
extension SQLiteMetadataStore {
    /// Upserts one transactional id's state in one transaction.
    public func saveTransaction(_ state: TransactionStateRecord) async throws {
        let partitions = String(decoding: try JSONEncoder().encode(state.partitions.sorted()), as: UTF8.self)
        let groups = String(decoding: try JSONEncoder().encode(state.groups.sorted()), as: UTF8.self)
        try await write { db in
            try db.execute(sql: """
                INSERT INTO transactionState (transactionalId, producerId, producerEpoch, lastProducerEpoch, status, timeoutMs,
                    partitions, groups, startedAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (transactionalId) DO UPDATE SET producerId = excluded.producerId,
                    producerEpoch = excluded.producerEpoch, lastProducerEpoch = excluded.lastProducerEpoch,
                    status = excluded.status, timeoutMs = excluded.timeoutMs, partitions = excluded.partitions,
                    groups = excluded.groups, startedAt = excluded.startedAt, updatedAt = excluded.updatedAt
                """, arguments: [state.transactionalId, state.producerId, state.producerEpoch, state.lastProducerEpoch,
                                 state.status.rawValue, state.timeoutMs, partitions, groups, state.startedAt?.sqliteValue,
                                 state.updatedAt.sqliteValue])
        }
    }

    /// One transactional id's state, or nil.
    public func transaction(_ transactionalId: String) async throws -> TransactionStateRecord? {
        try await database().read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM transactionState WHERE transactionalId = ?", arguments: [transactionalId])
                .map(Self.transactionState)
        }
    }

    /// Every transactional id's state, sorted by id.
    public func transactions() async throws -> [TransactionStateRecord] {
        try await database().read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM transactionState ORDER BY transactionalId").map(Self.transactionState)
        }
    }

    /// Forgets a transactional id.
    public func deleteTransaction(_ transactionalId: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM transactionState WHERE transactionalId = ?", arguments: [transactionalId])
        }
    }

    /// Upserts a producer's staged offsets for a group, all in one transaction.
    public func stageTransactionalOffsets(group: String, producerId: Int64, _ offsets: [TopicPartition: CommittedOffset]) async throws {
        guard !offsets.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO stagedOffset (groupId, producerId, topic, partition, "offset", leaderEpoch, metadata, commitTime)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (groupId, producerId, topic, partition) DO UPDATE SET
                    "offset" = excluded."offset", leaderEpoch = excluded.leaderEpoch,
                    metadata = excluded.metadata, commitTime = excluded.commitTime
                """)
            for (tp, staged) in offsets {
                try statement.execute(arguments: [
                    group, producerId, tp.topic, tp.partition, staged.offset, staged.leaderEpoch,
                    staged.metadata.map(CommitMetadataColumn.blob), staged.commitTime.sqliteValue,
                ])
            }
        }
    }

    /// Staged offsets of a group, by producer id (ascending).
    public func stagedTransactionalOffsets(group: String) async throws -> [StagedTransactionalOffsets] {
        try await database().read { db in
            var byProducer: [Int64: [TopicPartition: CommittedOffset]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT producerId, topic, partition, "offset", leaderEpoch, metadata, commitTime FROM stagedOffset WHERE groupId = ?
                """, arguments: [group]) {
                byProducer[row["producerId"], default: [:]][TopicPartition(row["topic"], row["partition"])] =
                    CommittedOffset(offset: row["offset"], leaderEpoch: row["leaderEpoch"],
                                    metadata: CommitMetadataColumn.string(row["metadata"]), commitTime: Date(sqliteValue: row["commitTime"]))
            }
            return byProducer.sorted { $0.key < $1.key }.map { StagedTransactionalOffsets(producerId: $0.key, offsets: $0.value) }
        }
    }

    /// Moves (commit) or drops (abort) a producer's staged offsets of a group, in one transaction.
    public func completeTransactionalOffsets(group: String, producerId: Int64, commit: Bool) async throws {
        try await write { db in
            if commit {
                try db.execute(sql: """
                    INSERT INTO committedOffset (groupId, topic, partition, "offset", leaderEpoch, metadata, commitTime)
                    SELECT groupId, topic, partition, "offset", leaderEpoch, metadata, commitTime FROM stagedOffset
                    WHERE groupId = ? AND producerId = ?
                    ON CONFLICT (groupId, topic, partition) DO UPDATE SET
                        "offset" = excluded."offset", leaderEpoch = excluded.leaderEpoch,
                        metadata = excluded.metadata, commitTime = excluded.commitTime
                    """, arguments: [group, producerId])
            }
            try db.execute(sql: "DELETE FROM stagedOffset WHERE groupId = ? AND producerId = ?", arguments: [group, producerId])
        }
    }

    private static func transactionState(_ row: Row) throws -> TransactionStateRecord {
        let id: String = row["transactionalId"]
        let statusText: String = row["status"]
        guard let status = TransactionStatus(rawValue: statusText),
              let partitions = try? JSONDecoder().decode([TopicPartition].self, from: Data((row["partitions"] as String).utf8)),
              let groups = try? JSONDecoder().decode([String].self, from: Data((row["groups"] as String).utf8)) else {
            throw MetadataError.unusable("transactional id '\(id)' has a malformed state row in the metadata file")
        }
        let startedAt: Double? = row["startedAt"]
        return TransactionStateRecord(transactionalId: id, producerId: row["producerId"], producerEpoch: row["producerEpoch"],
                                      lastProducerEpoch: row["lastProducerEpoch"], status: status, timeoutMs: row["timeoutMs"],
                                      partitions: partitions, groups: groups, startedAt: startedAt.map(Date.init(sqliteValue:)),
                                      updatedAt: Date(sqliteValue: row["updatedAt"]))
    }
}
