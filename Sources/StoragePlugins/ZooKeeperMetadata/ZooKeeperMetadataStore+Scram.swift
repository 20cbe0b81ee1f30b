import Foundation
import SluiceKernel

/// Users' SCRAM credentials in Kafka's ZooKeeper layout (`/config/users/<user>`), so every
/// broker of a cluster reads the same users; other config keys of the znode (Kafka keeps
/// user quotas there) are preserved by each versioned read-modify-write.
extension ZooKeeperMetadataStore {
    public func setScramCredential(user: String, mechanism: ScramMechanism, _ credential: ScramCredential) async throws {
        _ = try await updateUserConfig(user) { config in
            config[mechanism.rawValue] = KafkaScramText.format(credential)
            return true
        }
    }

    @discardableResult
    public func deleteScramCredential(user: String, mechanism: ScramMechanism) async throws -> Bool {
        try await updateUserConfig(user) { config in config.removeValue(forKey: mechanism.rawValue) != nil }
    }

    public func scramCredential(user: String, mechanism: ScramMechanism) async throws -> ScramCredential? {
        try await metadata {
            let path = ZNodeLayout.user(user)
            guard let node = try await client.getIfExists(path) else { return nil }
            let payload = try ZNodeJSON.decode(UserConfigPayload.self, node.bytes, path: path)
            return try payload.config[mechanism.rawValue].map { try KafkaScramText.parse($0, path: path) }
        }
    }

    public func scramUsers() async throws -> [ScramUserRecord] {
        try await metadata {
            var records: [ScramUserRecord] = []
            for segment in try await client.children(ZNodeLayout.users) {
                let path = "\(ZNodeLayout.users)/\(segment)"
                // Deleted between the listing and the read: skipped.
                guard let node = try await client.getIfExists(path) else { continue }
                let payload = try ZNodeJSON.decode(UserConfigPayload.self, node.bytes, path: path)
                var credentials: [ScramMechanism: ScramCredential] = [:]
                for mechanism in ScramMechanism.allCases {
                    if let text = payload.config[mechanism.rawValue] { credentials[mechanism] = try KafkaScramText.parse(text, path: path) }
                }
                if !credentials.isEmpty { records.append(ScramUserRecord(user: ZNodeLayout.decode(segment), credentials: credentials)) }
            }
            return records.sorted { $0.user < $1.user }
        }
    }

    /// Applies `change` to the config of `user` with a versioned write (retried on
    /// conflict), deleting the znode when no key is left; `change` answers whether it
    /// changed anything, which is returned.
    private func updateUserConfig(_ user: String, _ change: @Sendable (inout [String: String]) -> Bool) async throws -> Bool {
        let path = ZNodeLayout.user(user)
        return try await metadata {
            for _ in 0..<Self.maxAttempts {
                let node = try await client.getIfExists(path)
                var payload = try node.map { try ZNodeJSON.decode(UserConfigPayload.self, $0.bytes, path: path) } ?? UserConfigPayload()
                guard change(&payload.config) else { return false }
                do {
                    switch (node, payload.config.isEmpty) {
                    case (nil, true): return true
                    case (nil, false): _ = try await client.create(path, data: try ZNodeJSON.encode(payload))
                    case (let node?, true): try await client.delete(path, version: node.stat.version)
                    case (let node?, false): _ = try await client.set(path, data: try ZNodeJSON.encode(payload), version: node.stat.version)
                    }
                    return true
                } catch ZooKeeperError.badVersion {
                    continue
                } catch ZooKeeperError.nodeExists {
                    continue
                } catch ZooKeeperError.noNode {
                    continue
                }
            }
            throw MetadataError.unusable("znode \(path) changed under \(Self.maxAttempts) attempts to update it; too many writers at once")
        }
    }
}

/// Kafka's entity config znode: `{"version":1,"config":{key: value}}`.
struct UserConfigPayload: Codable, Sendable {
    var version = 1
    var config: [String: String] = [:]
}

/// Kafka's text form of a SCRAM credential (`ScramCredentialUtils.credentialToString`):
/// `salt=<base64>,stored_key=<base64>,server_key=<base64>,iterations=<n>`.
enum KafkaScramText {
    static func format(_ credential: ScramCredential) -> String {
        "salt=\(Data(credential.salt).base64EncodedString()),stored_key=\(Data(credential.storedKey).base64EncodedString())"
            + ",server_key=\(Data(credential.serverKey).base64EncodedString()),iterations=\(credential.iterations)"
    }

    static func parse(_ text: String, path: String) throws -> ScramCredential {
        var fields: [String: String] = [:]
        for part in text.split(separator: ",") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            fields[String(part[..<equals])] = String(part[part.index(after: equals)...])
        }
        guard let salt = fields["salt"].flatMap({ Data(base64Encoded: $0) }),
              let storedKey = fields["stored_key"].flatMap({ Data(base64Encoded: $0) }),
              let serverKey = fields["server_key"].flatMap({ Data(base64Encoded: $0) }),
              let iterations = fields["iterations"].flatMap(Int.init) else {
            throw MetadataError.unusable("znode \(path) holds a SCRAM credential Sluice cannot read ('salt=…,stored_key=…,server_key=…,iterations=…' expected); "
                                         + "set the user's password again")
        }
        return ScramCredential(salt: Array(salt), iterations: iterations, storedKey: Array(storedKey), serverKey: Array(serverKey))
    }
}
