import Foundation
import Hummingbird
import Logging
import NIOCore
import SluiceKernel

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
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(JSONErrorMiddleware())
        let snapshot = MetricsSnapshot()
        let scrapes = ScrapeCache(snapshot: snapshot) { [view] in
            PrometheusExport.registry.emitToString() + (await ScrapeGauges(view: view).render())
        }
        HTTPRoutes(view: view, browser: RecordBrowser(reader: services.reader, observation: services.observation), statusBoard: context.statusBoard, scrapes: scrapes).register(on: router)
        let logger = context.logger
        let portFile = config.portFile
        let bound = BindOutcome()
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [MetricsFastPath(snapshot: snapshot)])),
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
                logger.info("web console at http://\(host):\(port)/ (metrics at /metrics, admin API at /api/topics)",
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

    public var description: String {
        switch self {
        case .bindFailed(let address, let reason):
            "http: cannot listen on \(address): \(reason); choose a free port in config.listen or stop the process holding it"
        case .invalidAddress(let reason):
            "http: config.listen: \(reason)"
        }
    }
}
