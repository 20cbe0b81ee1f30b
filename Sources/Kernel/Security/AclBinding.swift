/// How an ACL's resource name matches resource names, numbered as Kafka numbers them
/// (`org.apache.kafka.common.resource.PatternType`). `any` and `match` exist only in filters.
public enum AclPatternType: Int8, Sendable, Hashable, Codable, CaseIterable {
    case unknown = 0, any = 1, match = 2, literal = 3, prefixed = 4

    /// The name Kafka's tools print: `LITERAL`, `PREFIXED`, ….
    public var kafkaName: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .any: "ANY"
        case .match: "MATCH"
        case .literal: "LITERAL"
        case .prefixed: "PREFIXED"
        }
    }
}

/// Whether an ACL allows or denies, numbered as Kafka numbers it
/// (`org.apache.kafka.common.acl.AclPermissionType`). `any` exists only in filters.
public enum AclPermissionType: Int8, Sendable, Hashable, Codable, CaseIterable {
    case unknown = 0, any = 1, deny = 2, allow = 3

    /// The name Kafka's tools print: `Allow`, `Deny`.
    public var kafkaName: String {
        switch self {
        case .unknown: "Unknown"
        case .any: "Any"
        case .deny: "Deny"
        case .allow: "Allow"
        }
    }
}

/// The resources an ACL applies to: a type and a name matched literally (`*` meaning
/// every resource of the type) or as a prefix.
public struct AclResourcePattern: Sendable, Hashable, Codable, Comparable {
    /// The wildcard resource name of a literal pattern: every resource of the type.
    public static let wildcard = "*"

    public var resourceType: AclResourceType
    public var name: String
    public var patternType: AclPatternType

    public init(_ resourceType: AclResourceType, _ name: String, _ patternType: AclPatternType = .literal) {
        self.resourceType = resourceType
        self.name = name
        self.patternType = patternType
    }

    /// Whether this (stored, literal or prefixed) pattern covers the resource `name` of its type.
    public func covers(_ name: String) -> Bool {
        switch patternType {
        case .literal: self.name == name || self.name == Self.wildcard
        case .prefixed: name.hasPrefix(self.name)
        default: false
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.resourceType.rawValue, a.patternType.rawValue, a.name) < (b.resourceType.rawValue, b.patternType.rawValue, b.name)
    }
}

/// Who may or may not do what, from where: an ACL without its resource.
public struct AclEntry: Sendable, Hashable, Codable, Comparable {
    /// The wildcard principal `User:*` and host `*`.
    public static let wildcardPrincipal = "User:*", wildcardHost = "*"

    /// `User:name` or `User:*`, as text (Kafka stores it so).
    public var principal: String
    /// An IP address, or `*` for every host.
    public var host: String
    public var operation: AclOperation
    public var permission: AclPermissionType

    public init(principal: String, host: String = wildcardHost, operation: AclOperation, permission: AclPermissionType) {
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission = permission
    }

    /// Whether this entry names `principal` (or every user) and `host` (or every host).
    public func applies(to principal: String, host: String) -> Bool {
        (self.principal == principal || self.principal == Self.wildcardPrincipal)
            && (self.host == host || self.host == Self.wildcardHost)
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.principal, a.host, a.operation.rawValue, a.permission.rawValue) < (b.principal, b.host, b.operation.rawValue, b.permission.rawValue)
    }
}

/// One ACL: a resource pattern and an entry (Kafka's `AclBinding`).
public struct AclBinding: Sendable, Hashable, Codable, Comparable {
    public var pattern: AclResourcePattern
    public var entry: AclEntry

    public init(_ pattern: AclResourcePattern, _ entry: AclEntry) {
        self.pattern = pattern
        self.entry = entry
    }

    /// Refuses what cannot be stored: filter-only values (`any`, `match`, `unknown`), a
    /// principal that is not `Type:name`, an empty resource name, a cluster named other
    /// than `kafka-cluster`.
    public func validate() throws(AclError) {
        guard ![.any, .unknown].contains(pattern.resourceType) else { throw .invalid("resource type \(pattern.resourceType.kafkaName) cannot be stored; use Topic, Group, Cluster or TransactionalId") }
        guard [.literal, .prefixed].contains(pattern.patternType) else { throw .invalid("pattern type \(pattern.patternType.kafkaName) cannot be stored; use LITERAL or PREFIXED") }
        guard ![.any, .unknown].contains(entry.operation) else { throw .invalid("operation \(entry.operation.kafkaName) cannot be stored; use Read, Write, All, …") }
        guard [.allow, .deny].contains(entry.permission) else { throw .invalid("permission \(entry.permission.kafkaName) cannot be stored; use Allow or Deny") }
        guard !pattern.name.isEmpty else { throw .invalid("the resource name is empty; name a resource, or `*` for all of the type") }
        guard (try? Principal(parsing: entry.principal)) != nil else { throw .invalid("principal '\(entry.principal)' is not Type:name, e.g. User:alice or User:*") }
        guard !entry.host.isEmpty else { throw .invalid("the host is empty; give an IP address or `*`") }
        if pattern.resourceType == .cluster, pattern.name != AuthorizationAction.clusterName {
            throw .invalid("the cluster resource is named \(AuthorizationAction.clusterName), not '\(pattern.name)'")
        }
    }

    public static func < (a: Self, b: Self) -> Bool { (a.pattern, a.entry) < (b.pattern, b.entry) }
}

/// Which ACLs a DescribeAcls or DeleteAcls names (Kafka's `AclBindingFilter`): nil
/// fields match anything, `any` values match every value, and pattern type `match`
/// selects the stored patterns that would apply to the named resource (the literal one,
/// the literal `*` and every prefix of it).
public struct AclBindingFilter: Sendable, Hashable {
    public var resourceType: AclResourceType
    public var resourceName: String?
    public var patternType: AclPatternType
    public var principal: String?
    public var host: String?
    public var operation: AclOperation
    public var permission: AclPermissionType

    public init(resourceType: AclResourceType = .any, resourceName: String? = nil, patternType: AclPatternType = .any,
                principal: String? = nil, host: String? = nil, operation: AclOperation = .any, permission: AclPermissionType = .any) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.patternType = patternType
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission = permission
    }

    /// Matches every ACL.
    public static let all = AclBindingFilter()

    /// Whether `binding` is one of the ACLs this filter names.
    public func matches(_ binding: AclBinding) -> Bool {
        let pattern = binding.pattern, entry = binding.entry
        guard resourceType == .any || resourceType == pattern.resourceType else { return false }
        switch patternType {
        case .any:
            if let resourceName, resourceName != pattern.name { return false }
        case .match:
            if let resourceName {
                guard pattern.covers(resourceName) else { return false }
            }
        default:
            guard patternType == pattern.patternType else { return false }
            if let resourceName, resourceName != pattern.name { return false }
        }
        if let principal, principal != entry.principal { return false }
        if let host, host != entry.host { return false }
        guard operation == .any || operation == entry.operation else { return false }
        return permission == .any || permission == entry.permission
    }
}

/// Why an ACL cannot be stored or a filter cannot be used.
public enum AclError: Error, Equatable, CustomStringConvertible {
    /// The binding or filter is not valid; the text says what to change.
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid ACL: \(reason)"
        }
    }
}

/// ACL administration: what CreateAcls, DescribeAcls, DeleteAcls and `sluice acls` drive.
public protocol AclAdministration: Sendable {
    /// Stores `bindings` (validated first: none is stored if one is invalid); an ACL
    /// that exists already is not an error.
    func createAcls(_ bindings: [AclBinding]) async throws
    /// Removes every ACL that one of `filters` matches; returns, per filter, the removed
    /// ACLs it matched.
    func deleteAcls(_ filters: [AclBindingFilter]) async throws -> [[AclBinding]]
    /// The stored ACLs `filter` matches, sorted.
    func describeAcls(_ filter: AclBindingFilter) async throws -> [AclBinding]
}
