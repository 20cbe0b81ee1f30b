/// Who a request comes from, named as Kafka names it: a principal type and a name,
/// written `"User:alice"`. A protocol plugin sets it per connection when the client
/// authenticates (SASL: `User:<username>`); a connection that has not authenticated, or a
/// listener that does not authenticate, is `User:ANONYMOUS`, as in Kafka. Authorization
/// (ACLs), quotas and audit logs key on it. A value type: compare with `==`, use as a key.
public struct Principal: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Kafka's only built-in principal type.
    public static let userType = "User"

    /// The principal type, "User" for every principal Sluice makes.
    public var type: String
    /// The name within the type: a SASL username, or a certificate subject later.
    public var name: String

    public init(type: String, name: String) {
        self.type = type
        self.name = name
    }

    /// `User:<name>`.
    public static func user(_ name: String) -> Principal { Principal(type: userType, name: name) }

    /// `User:ANONYMOUS`: a connection that has not authenticated (Kafka's `KafkaPrincipal.ANONYMOUS`).
    public static let anonymous = Principal.user("ANONYMOUS")

    /// Whether this is `User:ANONYMOUS`.
    public var isAnonymous: Bool { self == .anonymous }

    /// Parses `"Type:name"`, split at the first colon (a name may hold colons, as
    /// Kafka's `KafkaPrincipal.fromString` allows); throws when there is no colon or
    /// either side is empty.
    public init(parsing text: String) throws(PrincipalError) {
        guard let colon = text.firstIndex(of: ":") else { throw PrincipalError(text: text) }
        let type = text[..<colon], name = text[text.index(after: colon)...]
        guard !type.isEmpty, !name.isEmpty else { throw PrincipalError(text: text) }
        self.init(type: String(type), name: String(name))
    }

    /// `"Type:name"`.
    public var description: String { "\(type):\(name)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A principal written without its type, e.g. `"alice"` instead of `"User:alice"`.
public struct PrincipalError: Error, Equatable, CustomStringConvertible {
    /// The text that did not parse.
    public var text: String

    public var description: String {
        "'\(text)' is not a principal: write it as Type:name, e.g. User:alice"
    }
}
