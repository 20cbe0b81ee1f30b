import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import SluiceKernel
import SluiceTLS

/// The `http` protocol plugin's service: one Hummingbird server answering `/metrics`,
/// `/healthz`, `/readyz`, the read-only `/api` and the web console at `/`.
public struct HTTPServer: ProtocolPlugin {
    public let config: HTTPConfiguration
    let services: ProtocolServices
    let context: PluginContext

    public var name: String { "http \(config.listen)" }

    /// A server reading the kernel through `services`; nothing is bound until `run()`.
    public init(config: HTTPConfiguration, services: ProtocolServices, context: PluginContext) {
        self.config = config
        self.services = services
        self.context = context
    }

    /// Binds, writes `portFile`, logs the console URL, serves until graceful shutdown.
    /// Throws `HTTPServerError` when the address is invalid or cannot be bound.
    public func run() async throws {
        let listen: HostPort
        do {
            listen = try HostPort(parsing: config.listen)
        } catch {
            throw HTTPServerError.invalidAddress(reason: error.description)
        }
        let view = BrokerView(observation: services.observation, groupService: services.groups, statusBoard: context.statusBoard)
        let router = Router(context: ConsoleRequestContext.self)
        router.middlewares.add(JSONErrorMiddleware())
        let sessions = ConsoleSessions()
        let passwords = PasswordCheck(credentials: services.credentials)
        router.middlewares.add(AuthenticationMiddleware(enabled: config.authenticate, openPaths: Set(config.openPaths),
                                                        sessions: sessions, passwords: passwords))
        if config.authenticate {
            LoginRoutes(sessions: sessions, passwords: passwords, secureCookie: config.tls != nil).register(on: router)
        }
        let snapshot = MetricsSnapshot()
        let scrapes = ScrapeCache(snapshot: snapshot) { [view] in
            PrometheusExport.registry.emitToString() + (await ScrapeGauges(view: view).render())
        }
        HTTPRoutes(view: view, browser: RecordBrowser(reader: services.reader, observation: services.observation),
                   statusBoard: context.statusBoard, scrapes: scrapes, authorizer: services.authorizer).register(on: router)
        // The fast path answers /metrics before the router (and its authentication): only
        // when /metrics is open.
        let metricsOpen = !config.authenticate || config.openPaths.contains("/metrics")
        let http1 = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: metricsOpen ? [MetricsFastPath(snapshot: snapshot)] : []))
        let server: HTTPServerBuilder
        do {
            server = try config.tls.map { try .tls(http1, tlsConfiguration: try $0.makeServerConfiguration(resolve: { $0 })) } ?? http1
        } catch {
            throw HTTPServerError.tls(reason: "\(error)")
        }
        let scheme = config.tls == nil ? "http" : "https"
        let logger = context.logger
        let portFile = config.portFile
        let bound = BindOutcome()
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                let address = HostPort(host: listen.host, port: port)
                let host = listen.host.contains(":") ? "[\(listen.host)]" : listen.host
                if let portFile {
                    do {
                        try Data("\(address)\n".utf8).write(to: URL(fileURLWithPath: portFile), options: .atomic)
                    } catch {
                        logger.error("http: cannot write the bound address to portFile \(portFile): \(error)")
                    }
                }
                await bound.set()
                logger.info("web console at \(scheme)://\(host):\(port)/ (metrics at /metrics, admin API at /api/topics)",
                            metadata: ["listen": "\(address)"])
            },
            logger: logger)
        do {
            try await app.run()
        } catch {
            if await bound.isSet { throw error }
            throw HTTPServerError.bindFailed(address: config.listen, reason: "\(error)")
        }
    }
}

/// Whether the listener came up, to tell a bind failure from a later one.
actor BindOutcome {
    private(set) var isSet = false
    func set() { isSet = true }
}

/// Why the HTTP server could not start.
public enum HTTPServerError: Error, CustomStringConvertible {
    case bindFailed(address: String, reason: String)
    case invalidAddress(reason: String)
    case tls(reason: String)

    public var description: String {
        switch self {
        case .bindFailed(let address, let reason):
            "http: cannot listen on \(address): \(reason); choose a free port in config.listen or stop the process holding it"
        case .invalidAddress(let reason):
            "http: config.listen: \(reason)"
        case .tls(let reason):
            "http: config.tls: \(reason)"
        }
    }
}
