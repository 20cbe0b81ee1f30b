import KafkaWire
import Logging
import SluiceKernel

/// Answers one Kafka API. Conformers are registered in `ApiRoutes.all`; the router
/// decodes the request in the version the client sent, calls `handle` and encodes the
/// response in the same version, so handlers see typed messages and never bytes.
protocol KafkaApiHandler: Sendable {
    associatedtype Request: KafkaRequest
    /// Versions decoded and answered. Default: every version the spec declares.
    var acceptedVersions: Versions { get }
    /// Versions listed in ApiVersions. Default: `acceptedVersions`.
    var advertisedVersions: Versions { get }
    /// Which bytes count against a byte-rate client quota. Default: none.
    var quotaBytes: QuotaBytes { get }
    /// The response, or nil for a request that gets none (Produce with acks=0).
    func handle(_ request: Request, context: RequestContext) async throws(HandlerAbort) -> Request.Response?
}

extension KafkaApiHandler {
    var acceptedVersions: Versions { Request.validVersions }
    var advertisedVersions: Versions { acceptedVersions }
    var quotaBytes: QuotaBytes { .none }
}

/// What an API counts against client quotas, as Kafka counts it.
enum QuotaBytes: Sendable {
    /// Only handler time (`request_percentage`).
    case none
    /// The request's size, against `producer_byte_rate` (Produce).
    case request(ClientQuotaKey)
    /// The response's size, against `consumer_byte_rate` (Fetch). Its handler time is not
    /// counted: most of it is the long poll's wait, which uses no handler.
    case response(ClientQuotaKey)
}

/// A handler's decision to end the connection instead of answering (Kafka closes the
/// connection when an acks=0 produce fails, so the producer notices).
enum HandlerAbort: Error {
    case closeConnection(reason: String)
}

/// What a handler knows about the request and the broker serving it. Handlers reach the
/// kernel only through `services` (shortcuts below), never through the `Broker` itself.
struct RequestContext: Sendable {
    var header: RequestHeader
    var server: ServerIdentity
    var services: ProtocolServices
    var logger: Logger
    /// The server's incremental fetch sessions (KIP-227).
    var fetchSessions: FetchSessionCache
    /// The client's IP address, as DescribeGroups shows it ("" when unknown).
    var clientHost = ""
    /// Who sent the request: the connection's authenticated principal, `User:ANONYMOUS`
    /// before authentication or on a listener without SASL. ACLs and quotas key on it.
    var principal: Principal = .anonymous
    /// The user part of client quota entities: the principal's name (`ANONYMOUS` until
    /// the connection authenticates), as Kafka's quota callback takes it.
    var quotaUser: String { principal.name }

    /// The version the request was sent in (and the response is written in).
    var version: Int16 { header.apiVersion }

    var appender: any RecordAppender { services.appender }
    var reader: any RecordReader { services.reader }
    var topics: any TopicAdministration { services.topics }
    var groups: any GroupService { services.groups }
    var transactions: any TransactionService { services.transactions }
    var observation: any BrokerObservation { services.observation }
    var settings: KernelSettings { services.settings }
    var quotas: any ClientQuotaService { services.quotas }

    /// Who asks, from where, as the authorizer sees it.
    var authorization: AuthorizationContext { AuthorizationContext(principal: principal, host: clientHost) }

    /// Whether the request's principal may do each of `actions` (one authorizer call).
    func authorize(_ actions: [AuthorizationAction]) async -> [Bool] {
        await services.authorizer.authorize(authorization, actions)
    }

    /// Whether the request's principal may do `action`.
    func authorize(_ action: AuthorizationAction) async -> Bool {
        await services.authorizer.authorize(authorization, [action]).first ?? false
    }

    /// The subset of `names` on which the principal may do `operation` on resources of `type`.
    func authorized(_ operation: AclOperation, _ type: AclResourceType, _ names: some Collection<String>) async -> Set<String> {
        let unique = Array(Set(names))
        let answers = await authorize(unique.map { AuthorizationAction(operation, type, $0) })
        return Set(zip(unique, answers).compactMap { $1 ? $0 : nil })
    }
}

/// Who this broker is to clients: node id, advertised address, cluster id and the API
/// versions it advertises.
struct ServerIdentity: Sendable {
    var nodeId: Int32
    /// Where the server listens (the bound port).
    var listener: HostPort
    /// Where clients are told to connect.
    var advertised: HostPort
    var clusterId: String
    /// Largest request accepted, in bytes.
    var socketRequestMaxBytes: Int
    var apiVersions: [ApiVersionsResponse.ApiVersion]

    /// This broker as Metadata lists it.
    var metadataBroker: MetadataResponse.Broker {
        var broker = MetadataResponse.Broker()
        broker.nodeId = nodeId
        broker.host = advertised.host
        broker.port = Int32(advertised.port)
        return broker
    }
}
