import KafkaWire
import Logging
import Metrics
import NIOCore
import SluiceKernel

/// Every API this server answers: one line per handler. Adding an API (FindCoordinator,
/// the group APIs) is its message declaration in `Wire/Messages/`, a handler, and a line here.
enum ApiRoutes {
    static let all: [ApiRoute] = [
        ApiRoute(ProduceHandler()),
        ApiRoute(FetchHandler()),
        ApiRoute(ListOffsetsHandler()),
        ApiRoute(MetadataHandler()),
        ApiRoute(ApiVersionsHandler()),
        ApiRoute(CreateTopicsHandler()),
        ApiRoute(DeleteTopicsHandler()),
        ApiRoute(InitProducerIdHandler()),
        ApiRoute(OffsetForLeaderEpochHandler()),
        ApiRoute(ControlledShutdownHandler()),
        ApiRoute(DescribeConfigsHandler()),
        ApiRoute(CreatePartitionsHandler()),
        ApiRoute(AlterConfigsHandler()),
        ApiRoute(IncrementalAlterConfigsHandler()),
        ApiRoute(DeleteRecordsHandler()),
        ApiRoute(DescribeLogDirsHandler()),
        ApiRoute(DescribeClusterHandler()),
        ApiRoute(AlterPartitionReassignmentsHandler()),
        ApiRoute(ListPartitionReassignmentsHandler()),
        ApiRoute(ElectLeadersHandler()),
        ApiRoute(AddPartitionsToTxnHandler()),
        ApiRoute(AddOffsetsToTxnHandler()),
        ApiRoute(EndTxnHandler()),
        ApiRoute(WriteTxnMarkersHandler()),
        ApiRoute(TxnOffsetCommitHandler()),
        ApiRoute(DescribeTransactionsHandler()),
        ApiRoute(ListTransactionsHandler()),
        ApiRoute(DescribeProducersHandler()),
        ApiRoute(DescribeClientQuotasHandler()),
        ApiRoute(AlterClientQuotasHandler()),
        ApiRoute(DescribeUserScramCredentialsHandler()),
        ApiRoute(AlterUserScramCredentialsHandler()),
        ApiRoute(SaslHandshakeHandler()),
        ApiRoute(SaslAuthenticateHandler()),
        ApiRoute(DescribeAclsHandler()),
        ApiRoute(CreateAclsHandler()),
        ApiRoute(DeleteAclsHandler()),
    ] + groupRoutes

    /// The ApiVersions entries for `routes`.
    static func advertised(_ routes: [ApiRoute]) -> [ApiVersionsResponse.ApiVersion] {
        routes.compactMap { route in
            route.advertised.closedRange.map {
                .init(apiKey: route.apiKey.rawValue, minVersion: $0.lowerBound, maxVersion: $0.upperBound)
            }
        }.sorted { $0.apiKey < $1.apiKey }
    }
}

/// What the connection does after a request.
enum RouteOutcome: Sendable {
    case respond(WireWriter)
    /// Nothing is sent back (Produce with acks=0).
    case noResponse
    /// The connection is closed, with the reason for the log.
    case close(String)
}

/// A route's outcome and how long the client must now wait (its client quota throttle
/// time in ms; 0 when within its quotas): the connection reads nothing for that long.
struct RouteAnswer: Sendable {
    var outcome: RouteOutcome
    var throttleMs: Int32 = 0
}

/// One API with its handler's types erased: decode, handle, encode.
struct ApiRoute: Sendable {
    let apiKey: ApiKey
    let accepted: Versions
    let advertised: Versions
    let requestHeaderVersion: @Sendable (Int16) -> Int16
    /// Decodes the body only, exactly as `answer` does, and says why it is malformed (nil
    /// when it decodes): the fuzz target drives this without a broker.
    let checkBody: @Sendable (RequestHeader, WireReader) -> String?
    let answer: @Sendable (RequestHeader, WireReader, RequestContext) async -> RouteAnswer

    init<H: KafkaApiHandler>(_ handler: H) {
        typealias R = H.Request
        apiKey = R.apiKey
        accepted = handler.acceptedVersions
        advertised = handler.advertisedVersions
        requestHeaderVersion = { R.requestHeaderVersion($0) }
        checkBody = { header, body in
            do throws(KafkaCodecError) {
                _ = try Self.decodeBody(R.self, body, version: header.apiVersion)
                return nil
            } catch {
                return Self.malformed(R.self, version: header.apiVersion, error)
            }
        }
        answer = { header, body, context in
            let version = header.apiVersion
            let request: R
            do throws(KafkaCodecError) {
                request = try Self.decodeBody(R.self, body, version: version)
            } catch {
                return RouteAnswer(outcome: .close(Self.malformed(R.self, version: version, error)))
            }
            let started = ContinuousClock.now
            do throws(HandlerAbort) {
                let answered = try await handler.handle(request, context: context)
                var usage: [ClientQuotaUsage] = []
                switch handler.quotaBytes {
                case .none: usage.append(.handlerTime(ContinuousClock.now - started))
                case .request(let key): usage += [ClientQuotaUsage(key, Double(body.remaining)), .handlerTime(ContinuousClock.now - started)]
                case .response: break
                }
                guard var response = answered else {
                    let throttle = await context.quotas.recordUsage(usage, user: context.quotaUser, clientId: header.clientId ?? "")
                    return RouteAnswer(outcome: .noResponse, throttleMs: throttle)
                }
                var writer = KafkaFrame.response(response, to: R.self, version: version, correlationId: header.correlationId)
                if case .response(let key) = handler.quotaBytes { usage.append(ClientQuotaUsage(key, Double(writer.byteCount))) }
                let throttle = await context.quotas.recordUsage(usage, user: context.quotaUser, clientId: header.clientId ?? "")
                if throttle > 0, var carrying = response as? any ThrottleTimeCarrying {
                    carrying.throttleTimeMs = throttle
                    response = carrying as! R.Response
                    writer = KafkaFrame.response(response, to: R.self, version: version, correlationId: header.correlationId)
                }
                return RouteAnswer(outcome: .respond(writer), throttleMs: throttle)
            } catch {
                switch error {
                case .closeConnection(let reason): return RouteAnswer(outcome: .close(reason))
                }
            }
        }
    }

    private static func decodeBody<R: KafkaRequest>(_ type: R.Type, _ body: WireReader, version: Int16) throws(KafkaCodecError) -> R {
        var reader = body
        return try R.decode(from: &reader, version: version, flexible: R.isFlexible(version))
    }

    private static func malformed<R: KafkaRequest>(_ type: R.Type, version: Int16, _ error: KafkaCodecError) -> String {
        "malformed \(R.apiKey) v\(version) request: \(error)"
    }
}

/// A request frame whose header is read and whose API has a route; `body` is positioned
/// at the request body.
struct RoutedRequest: Sendable {
    var header: RequestHeader
    var route: ApiRoute
    var body: WireReader
}

/// What reading a request frame's header decided.
enum HeaderOutcome: Sendable {
    case routed(RoutedRequest)
    /// ApiVersions in a version this server does not know: answered with the v0 body.
    case unsupportedApiVersions(RequestHeader)
    /// The connection is closed, with the reason for the log.
    case close(String)
}

/// Routes request frames of one server to their handlers and records per-API metrics.
struct ApiRouter: Sendable {
    let routes: [ApiKey: ApiRoute]
    let identity: ServerIdentity
    let services: ProtocolServices
    let fetchSessions: FetchSessionCache
    private let metrics: [ApiKey: ApiMetrics]

    init(routes: [ApiRoute] = ApiRoutes.all, identity: ServerIdentity, services: ProtocolServices,
         fetchSessions: FetchSessionCache = FetchSessionCache()) {
        self.routes = Dictionary(uniqueKeysWithValues: routes.map { ($0.apiKey, $0) })
        self.identity = identity
        self.services = services
        self.fetchSessions = fetchSessions
        self.metrics = Dictionary(uniqueKeysWithValues: routes.map { ($0.apiKey, ApiMetrics(api: $0.apiKey)) })
    }

    /// Answers one request frame (without its size prefix).
    func answer(_ frame: ByteBuffer, connection: inout ConnectionInfo) async -> RouteOutcome {
        let routed: RoutedRequest
        switch Self.readHeader(frame, routes: routes) {
        case .close(let reason): return .close(reason)
        case .unsupportedApiVersions(let header):
            connection.noteClient(header.clientId)
            return unsupportedApiVersions(header)
        case .routed(let request): routed = request
        }
        let header = routed.header
        connection.noteClient(header.clientId)
        let metrics = metrics[header.apiKey]!
        let start = ContinuousClock.now
        let context = RequestContext(header: header, server: identity, services: services, logger: connection.logger,
                                     fetchSessions: fetchSessions, clientHost: connection.peerHost,
                                     principal: connection.principal)
        let answer = await routed.route.answer(header, routed.body, context)
        let outcome = answer.outcome
        connection.throttleMs = answer.throttleMs
        let elapsed = ContinuousClock.now - start
        metrics.record(elapsed)
        connection.logger.trace("request", metadata: [
            "api": "\(header.apiKey)", "version": "\(header.apiVersion)", "correlation": "\(header.correlationId)",
            "micros": "\(elapsed.microseconds)",
        ])
        return outcome
    }

    /// Reads a request frame's header (v1 or v2, as the API and version demand) and finds
    /// its route; every failure is a reason to close the connection.
    static func readHeader(_ frame: ByteBuffer, routes: [ApiKey: ApiRoute]) -> HeaderOutcome {
        var reader = WireReader(frame)
        var header: RequestHeader
        do {
            header = try RequestHeader.decodePrefix(from: &reader)
        } catch {
            return .close("request of \(frame.readableBytes) bytes is too short for a header: \(error)")
        }
        guard let route = routes[header.apiKey] else {
            return .close("unknown api key \(header.apiKey.rawValue) (correlation id \(header.correlationId)); this server answers \(routes.keys.sorted().map(\.name).joined(separator: ", "))")
        }
        do {
            try header.decodeRest(from: &reader, headerVersion: route.requestHeaderVersion(header.apiVersion))
        } catch {
            return .close("malformed \(header.apiKey) v\(header.apiVersion) request header: \(error)")
        }
        guard route.accepted.contains(header.apiVersion) else {
            if header.apiKey == .apiVersions { return .unsupportedApiVersions(header) }
            return .close("\(header.apiKey) v\(header.apiVersion) is not supported (accepted: \(route.accepted)); the client should have checked ApiVersions")
        }
        return .routed(RoutedRequest(header: header, route: route, body: reader))
    }

    /// ApiVersions in a version this server does not know is answered, not dropped: error
    /// UNSUPPORTED_VERSION in the v0 body with the supported ranges, so the client can
    /// retry with a version both sides speak.
    private func unsupportedApiVersions(_ header: RequestHeader) -> RouteOutcome {
        var response = ApiVersionsResponse()
        response.errorCode = KafkaErrorCode.unsupportedVersion.rawValue
        response.apiKeys = identity.apiVersions
        return .respond(KafkaFrame.response(response, to: ApiVersionsRequest.self, version: 0, correlationId: header.correlationId))
    }
}

/// Request count and latency of one API: `sluice_kafka_requests_total{api}` and
/// `sluice_request_duration_seconds{api}` (a swift-metrics Timer, which a Prometheus
/// backend exports as a histogram in seconds). Made once per API, never per request.
struct ApiMetrics: Sendable {
    let requests: Counter
    let duration: Timer

    init(api: ApiKey) {
        requests = Counter(label: "sluice_kafka_requests_total", dimensions: [("api", api.name)])
        duration = Timer(label: "sluice_request_duration_seconds", dimensions: [("api", api.name)])
    }

    func record(_ elapsed: Duration) {
        requests.increment()
        duration.record(duration: elapsed)
    }
}
