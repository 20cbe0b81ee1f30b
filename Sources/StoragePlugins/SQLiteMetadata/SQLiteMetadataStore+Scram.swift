import Foundation
import GRDB
import SluiceKernel

/// Users' SCRAM credentials (`scramCredential`: one row per user and mechanism).
extension SQLiteMetadataStore {
    public func setScramCredential(user: String, mechanism: ScramMechanism, _ credential: ScramCredential) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO scramCredential (user, mechanism, salt, iterations, storedKey, serverKey) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (user, mechanism) DO UPDATE SET salt = excluded.salt, iterations = excluded.iterations,
                    storedKey = excluded.storedKey, serverKey = excluded.serverKey
                """, arguments: [user, mechanism.rawValue, Data(credential.salt), credential.iterations,
                                 Data(credential.storedKey), Data(credential.serverKey)])
        }
    }

    @discardableResult
    public func deleteScramCredential(user: String, mechanism: ScramMechanism) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM scramCredential WHERE user = ? AND mechanism = ?", arguments: [user, mechanism.rawValue])
            return db.changesCount > 0
        }
    }

    public func scramCredential(user: String, mechanism: ScramMechanism) async throws -> ScramCredential? {
        try await database().read { db in
            try Row.fetchOne(db, sql: "SELECT salt, iterations, storedKey, serverKey FROM scramCredential WHERE user = ? AND mechanism = ?",
                             arguments: [user, mechanism.rawValue]).map(Self.scramCredential(row:))
        }
    }

    /// Every user with a credential, sorted by name; rows of mechanisms this build does not
    /// know are skipped.
    public func scramUsers() async throws -> [ScramUserRecord] {
        try await database().read { db in
            var byUser: [String: [ScramMechanism: ScramCredential]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT user, mechanism, salt, iterations, storedKey, serverKey FROM scramCredential") {
                guard let mechanism = ScramMechanism(rawValue: row["mechanism"]) else { continue }
                byUser[row["user"], default: [:]][mechanism] = Self.scramCredential(row: row)
            }
            return byUser.map { ScramUserRecord(user: $0.key, credentials: $0.value) }.sorted { $0.user < $1.user }
        }
    }

    private static func scramCredential(row: Row) -> ScramCredential {
        let salt: Data = row["salt"], storedKey: Data = row["storedKey"], serverKey: Data = row["serverKey"]
        return ScramCredential(salt: Array(salt), iterations: row["iterations"], storedKey: Array(storedKey), serverKey: Array(serverKey))
    }
}
