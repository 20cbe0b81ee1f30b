/// Kafka's ACL resource types, numbered as the Kafka protocol numbers them
/// (`org.apache.kafka.common.resource.ResourceType`).
public enum AclResourceType: Int8, Sendable, Hashable, Codable, CaseIterable {
    case unknown = 0, any = 1, topic = 2, group = 3, cluster = 4, transactionalId = 5, delegationToken = 6, user = 7

    /// The name Kafka's tools print: `Topic`, `Group`, `Cluster`, `TransactionalId`, ….
    public var kafkaName: String {
        switch self {
        case .unknown: "Unknown"
        case .any: "Any"
        case .topic: "Topic"
        case .group: "Group"
        case .cluster: "Cluster"
        case .transactionalId: "TransactionalId"
        case .delegationToken: "DelegationToken"
        case .user: "User"
        }
    }
}

/// Kafka's ACL operations, numbered as the Kafka protocol numbers them
/// (`org.apache.kafka.common.acl.AclOperation`).
public enum AclOperation: Int8, Sendable, Hashable, Codable, CaseIterable {
    case unknown = 0, any = 1, all = 2, read = 3, write = 4, create = 5, delete = 6, alter = 7, describe = 8
    case clusterAction = 9, describeConfigs = 10, alterConfigs = 11, idempotentWrite = 12
    case createTokens = 13, describeTokens = 14

    /// The name Kafka's tools print: `Read`, `Write`, `DescribeConfigs`, ….
    public var kafkaName: String {
        switch self {
        case .unknown: "Unknown"
        case .any: "Any"
        case .all: "All"
        case .read: "Read"
        case .write: "Write"
        case .create: "Create"
        case .delete: "Delete"
        case .alter: "Alter"
        case .describe: "Describe"
        case .clusterAction: "ClusterAction"
        case .describeConfigs: "DescribeConfigs"
        case .alterConfigs: "AlterConfigs"
        case .idempotentWrite: "IdempotentWrite"
        case .createTokens: "CreateTokens"
        case .describeTokens: "DescribeTokens"
        }
    }
}

/// One thing a request wants to do: an operation on a named resource
/// (Kafka's `org.apache.kafka.server.authorizer.Action`). The cluster resource is named
/// `kafka-cluster`, as in Kafka.
public struct AuthorizationAction: Sendable, Hashable {
    /// The name of the single cluster resource.
    public static let clusterName = "kafka-cluster"

    public var operation: AclOperation
    public var resourceType: AclResourceType
    /// The topic, group or transactional id; `kafka-cluster` for the cluster.
    public var resourceName: String

    public init(_ operation: AclOperation, _ resourceType: AclResourceType, _ resourceName: String) {
        self.operation = operation
        self.resourceType = resourceType
        self.resourceName = resourceName
    }

    /// `operation` on the cluster resource.
    public static func cluster(_ operation: AclOperation) -> AuthorizationAction {
        AuthorizationAction(operation, .cluster, clusterName)
    }
}

/// Who asks, from where: what an authorizer decides on besides the action.
public struct AuthorizationContext: Sendable, Hashable {
    /// The connection's authenticated principal (`User:ANONYMOUS` when it did not authenticate).
    public var principal: Principal
    /// The client's IP address as text, e.g. `127.0.0.1`.
    public var host: String

    public init(principal: Principal, host: String) {
        self.principal = principal
        self.host = host
    }
}

/// Decides whether a principal may do an action: the check every API makes before it
/// touches the kernel (Kafka's `Authorizer`). A protocol plugin calls it per request;
/// the kernel's ACL authorizer answers from the ACLs in the metadata store.
public protocol Authorizer: Sendable {
    /// Whether `context` may do each of `actions`, in order (one answer per action), so a
    /// request naming many topics costs one call.
    func authorize(_ context: AuthorizationContext, _ actions: [AuthorizationAction]) async -> [Bool]
    /// Whether `context` may do `operation` on at least one resource of `resourceType`
    /// (Kafka's `authorizeByResourceType`: InitProducerId without a transactional id is
    /// allowed to a principal with Write on any topic).
    func authorizeAny(_ context: AuthorizationContext, _ operation: AclOperation, _ resourceType: AclResourceType) async -> Bool
}

extension Authorizer {
    /// Whether `context` may do `action`.
    public func authorize(_ context: AuthorizationContext, _ action: AuthorizationAction) async -> Bool {
        await authorize(context, [action]).first ?? false
    }
}

/// Allows everything: a node without authorization (the default until ACLs are configured).
public struct AllowEveryoneAuthorizer: Authorizer {
    public init() {}

    public func authorize(_ context: AuthorizationContext, _ actions: [AuthorizationAction]) async -> [Bool] {
        Array(repeating: true, count: actions.count)
    }

    public func authorizeAny(_ context: AuthorizationContext, _ operation: AclOperation, _ resourceType: AclResourceType) async -> Bool {
        true
    }
}
