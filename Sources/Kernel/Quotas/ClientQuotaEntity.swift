import Foundation

/// The name part of a quota entity: one user or client id, or the default that applies
/// to every user (client id) without a quota of its own.
public enum QuotaEntityName: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    case named(String)
    /// Kafka's `<default>`: a null entity name on the wire.
    case defaultName

    public var description: String {
        switch self {
        case .named(let name): name
        case .defaultName: "<default>"
        }
    }
}

/// Who a client quota applies to (KIP-55, KIP-546): a user (the connection's principal
/// name; `ANONYMOUS` without authentication), a client id, or both. A missing part means
/// the entity does not name that type at all, which is not the same as its default.
public struct ClientQuotaEntity: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// Kafka's entity type names on the wire.
    public static let userType = "user"
    public static let clientIdType = "client-id"

    public var user: QuotaEntityName?
    public var clientId: QuotaEntityName?

    public init(user: QuotaEntityName? = nil, clientId: QuotaEntityName? = nil) {
        self.user = user
        self.clientId = clientId
    }

    /// True for an entity that names neither type (never valid to store).
    public var isEmpty: Bool { user == nil && clientId == nil }

    /// `user=alice,client-id=<default>` — for logs and the CLI.
    public var description: String {
        var parts: [String] = []
        if let user { parts.append("\(Self.userType)=\(user)") }
        if let clientId { parts.append("\(Self.clientIdType)=\(clientId)") }
        return parts.joined(separator: ",")
    }

    /// A stable text key for stores (`user=alice,client-id@`): each part is the type, then
    /// `@` for the default or `=` and the percent-encoded name, so names may hold any
    /// character and the key is a valid file or znode name.
    public var storageKey: String {
        var parts: [String] = []
        if let user { parts.append(Self.userType + Self.encodePart(user)) }
        if let clientId { parts.append(Self.clientIdType + Self.encodePart(clientId)) }
        return parts.joined(separator: ",")
    }

    /// Reads a `storageKey` back; nil when it is not one.
    public init?(storageKey: String) {
        self.init()
        for part in storageKey.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if part.hasPrefix(Self.userType), user == nil, let name = Self.decodePart(part.dropFirst(Self.userType.count)) {
                user = name
            } else if part.hasPrefix(Self.clientIdType), clientId == nil,
                      let name = Self.decodePart(part.dropFirst(Self.clientIdType.count)) {
                clientId = name
            } else {
                return nil
            }
        }
        if isEmpty { return nil }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.storageKey < rhs.storageKey }

    private static let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")

    private static func encodePart(_ name: QuotaEntityName) -> String {
        switch name {
        case .defaultName: "@"
        case .named(let text): "=" + (text.addingPercentEncoding(withAllowedCharacters: safe) ?? text)
        }
    }

    private static func decodePart(_ text: Substring) -> QuotaEntityName? {
        if text == "@" { return .defaultName }
        guard text.first == "=" else { return nil }
        return String(text.dropFirst()).removingPercentEncoding.map(QuotaEntityName.named)
    }
}

/// A quota a client entity can have, by Kafka's config key.
public enum ClientQuotaKey: String, Sendable, Codable, CaseIterable, Comparable {
    /// Bytes per second a client may produce (record batches as sent).
    case producerByteRate = "producer_byte_rate"
    /// Bytes per second a client may fetch (records in fetch responses).
    case consumerByteRate = "consumer_byte_rate"
    /// Percent of one request-handler thread's time (100 = one thread) a client may use.
    case requestPercentage = "request_percentage"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The stored quotas of one entity.
public struct ClientQuotaRecord: Sendable, Equatable, Codable {
    public var entity: ClientQuotaEntity
    public var values: [ClientQuotaKey: Double]

    public init(entity: ClientQuotaEntity, values: [ClientQuotaKey: Double]) {
        self.entity = entity
        self.values = values
    }
}

/// Why a quota alteration was refused.
public enum ClientQuotaError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyEntity
    case invalidValue(key: ClientQuotaKey, value: Double)

    public var description: String {
        switch self {
        case .emptyEntity: "a quota entity must name a user or a client id (or their defaults)"
        case .invalidValue(let key, let value): "\(key.rawValue) must be a positive number, got \(value)"
        }
    }
}
