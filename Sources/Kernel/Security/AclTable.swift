/// The ACLs indexed for decisions, with Kafka's `AclAuthorizer` semantics:
/// - a super user may do everything;
/// - a resource no ACL applies to (for anyone) is open iff `allowEveryoneIfNoAclFound`;
/// - otherwise an applicable DENY for the operation (or All) refuses, whatever allows;
/// - then an applicable ALLOW grants it: for the operation, All, or an operation that
///   implies it (Read, Write, Delete and Alter imply Describe; AlterConfigs implies
///   DescribeConfigs — for ALLOW only, a DENY covers exactly its operation or All).
///
/// An ACL applies to a resource when it is literal with the same name or `*`, or
/// prefixed with a prefix of the name; to a principal when it names it or `User:*`; to a
/// host when it names it or `*`.
public struct AclTable: Sendable {
    /// The ACLs per resource type and pattern type.
    private var literal: [AclResourceType: [String: [AclEntry]]] = [:]
    private var prefixed: [AclResourceType: [(prefix: String, entries: [AclEntry])]] = [:]
    /// Every ACL, sorted.
    public private(set) var bindings: [AclBinding]

    public init(_ bindings: [AclBinding] = []) {
        self.bindings = bindings.sorted()
        var prefixedMap: [AclResourceType: [String: [AclEntry]]] = [:]
        for binding in self.bindings {
            switch binding.pattern.patternType {
            case .literal: literal[binding.pattern.resourceType, default: [:]][binding.pattern.name, default: []].append(binding.entry)
            case .prefixed: prefixedMap[binding.pattern.resourceType, default: [:]][binding.pattern.name, default: []].append(binding.entry)
            default: continue
            }
        }
        prefixed = prefixedMap.mapValues { $0.map { (prefix: $0.key, entries: $0.value) } }
    }

    /// Whether there is no ACL at all.
    public var isEmpty: Bool { bindings.isEmpty }

    /// The entries of every ACL that applies to the resource, whoever they name.
    public func entries(_ type: AclResourceType, _ name: String) -> [AclEntry] {
        var found: [AclEntry] = []
        if let byName = literal[type] {
            found += byName[name] ?? []
            if name != AclResourcePattern.wildcard { found += byName[AclResourcePattern.wildcard] ?? [] }
        }
        for (prefix, entries) in prefixed[type] ?? [] where name.hasPrefix(prefix) { found += entries }
        return found
    }

    /// The decision for one action (super users are the caller's business).
    public func allows(_ action: AuthorizationAction, principal: String, host: String, allowEveryoneIfNoAclFound: Bool) -> Bool {
        let entries = entries(action.resourceType, action.resourceName)
        if entries.isEmpty { return allowEveryoneIfNoAclFound }
        let applicable = entries.filter { $0.applies(to: principal, host: host) }
        let operation = action.operation
        if applicable.contains(where: { $0.permission == .deny && ($0.operation == operation || $0.operation == .all) }) {
            return false
        }
        let granting = Self.operationsImplying(operation)
        return applicable.contains { $0.permission == .allow && ($0.operation == .all || granting.contains($0.operation)) }
    }

    /// Whether the principal may do `operation` on at least one resource of `type`
    /// (Kafka's `authorizeByResourceType`, used for InitProducerId's IdempotentWrite
    /// fallback "Write on any topic"): an applicable ALLOW whose pattern no applicable
    /// DENY covers entirely.
    public func allowsSome(_ operation: AclOperation, _ type: AclResourceType, principal: String, host: String,
                           allowEveryoneIfNoAclFound: Bool) -> Bool {
        let granting = Self.operationsImplying(operation)
        let mine = bindings.filter { $0.pattern.resourceType == type && $0.entry.applies(to: principal, host: host) }
        if mine.isEmpty, allowEveryoneIfNoAclFound, !bindings.contains(where: { $0.pattern.resourceType == type }) { return true }
        let denies = mine.filter { $0.entry.permission == .deny && ($0.entry.operation == operation || $0.entry.operation == .all) }.map(\.pattern)
        let allows = mine.filter { $0.entry.permission == .allow && ($0.entry.operation == .all || granting.contains($0.entry.operation)) }.map(\.pattern)
        return allows.contains { allowed in
            !denies.contains { deny in
                switch deny.patternType {
                case .literal: deny.name == AclResourcePattern.wildcard || (allowed.patternType == .literal && deny.name == allowed.name)
                case .prefixed: allowed.name.hasPrefix(deny.name)
                default: false
                }
            }
        }
    }

    /// The operations whose ALLOW grants `operation`.
    static func operationsImplying(_ operation: AclOperation) -> Set<AclOperation> {
        switch operation {
        case .describe: [.describe, .read, .write, .delete, .alter]
        case .describeConfigs: [.describeConfigs, .alterConfigs]
        default: [operation]
        }
    }
}
