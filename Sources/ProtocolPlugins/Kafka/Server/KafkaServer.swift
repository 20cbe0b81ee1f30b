import Foundation
import KafkaWire
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import SluiceKafkaClient
import SluiceKernel
import SluiceTLS

/// The Kafka protocol server: accepts connections, frames requests and answers them in
/// order per connection through `ApiRouter`. Runs until graceful shutdown, then stops
/// accepting, lets every connection finish the request it is answering, and returns.
public final class KafkaServer: ProtocolPlugin, Sendable {
    /// The plugin's configuration (listen address, limits).
    public let config: KafkaConfiguration
    let services: ProtocolServices
    let logger: Logger
    private let registry: ConnectionRegistry
    /// The incremental fetch sessions of this server's clients.
    let fetchSessions: FetchSessionCache

    /// A server on the kernel's `services`; nothing is bound until `run()`.
    public init(config: KafkaConfiguration, services: ProtocolServices, logger: Logger) {
        self.config = config
        self.services = services
        self.logger = logger
        self.registry = ConnectionRegistry(limit: config.maxConnections)
        self.fetchSessions = FetchSessionCache(slots: config.maxIncrementalFetchSessionCacheSlots,
                                               evictionMs: config.minIncrementalFetchSessionEvictionMs)
    }

    /// "kafka" and the bound address (the configured one before binding).
    public var name: String { "kafka \(registry.boundAddress?.description ?? config.listen)" }

    /// The address once listening (the real port when configured with port 0).
    public func listeningAddress() async throws -> HostPort { try await registry.waitForBind() }

    /// Binds, writes `portFile`, serves until graceful shutdown, then returns once every
    /// connection has answered its request in flight. Throws `KafkaServerError` when it
    /// cannot bind.
    public func run() async throws {
        let listen = try parse(config.listen, key: "listen")
        let tls = try makeTLSContext()
        let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, [FramePart]>, Never>
        do {
            server = try await bootstrap().bind(host: listen.host, port: listen.port) { [config, logger] channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    var peerLogger = logger
                    if let remote = channel.remoteAddress { peerLogger[metadataKey: "peer"] = "\(remote.ipAddress ?? "?"):\(remote.port ?? 0)" }
                    if let tls { try sync.addHandler(NIOSSLServerHandler(context: tls)) }
                    if let sasl = config.sasl {
                        try sync.addHandler(PreAuthenticationFrameGuard(limit: sasl.maxReceiveBytes, logger: peerLogger))
                    }
                    try sync.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: config.socketRequestMaxBytes)))
                    try sync.addHandler(IdleStateHandler(allTimeout: .milliseconds(config.connectionsMaxIdleMs)))
                    try sync.addHandler(IdleConnectionCloser(idleMs: config.connectionsMaxIdleMs, logger: peerLogger))
                    try sync.addHandler(InflightBytesLimiter(limit: config.connectionInflightMaxBytes))
                    try sync.addHandler(FramePartsWriter(copyingFileRegions: tls != nil))
                    return try NIOAsyncChannel<ByteBuffer, [FramePart]>(wrappingChannelSynchronously: channel)
                }
            }
        } catch {
            let failure = KafkaServerError.bindFailed(address: config.listen, reason: "\(error)")
            registry.failBind(failure)
            throw failure
        }
        let bound = HostPort(host: listen.host, port: server.channel.localAddress?.port ?? listen.port)
        let advertised = try config.advertised.map { try parse($0, key: "advertised") }
            ?? HostPort(host: Self.advertisable(listen.host), port: bound.port)
        try writePortFile(bound)
        // Cluster registration waits for this: other brokers and clients connect here.
        await services.listener.set(host: advertised.host, port: Int32(advertised.port))
        let identity = ServerIdentity(nodeId: services.settings.broker.id, listener: bound, advertised: advertised,
                                      clusterId: config.clusterId, socketRequestMaxBytes: config.socketRequestMaxBytes,
                                      apiVersions: ApiRoutes.advertised(ApiRoutes.all))
        let router = ApiRouter(identity: identity, services: services, fetchSessions: fetchSessions)
        logger.info("kafka protocol listening", metadata: ["address": "\(bound)", "advertised": "\(advertised)",
                                                          "tls": "\(config.tls.map { "client auth \($0.clientAuth.rawValue)" } ?? "off")"])
        registry.didBind(bound)

        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        guard let id = registry.admit(connection.channel) else {
                            logger.warning("refusing connection from \(connection.channel.remoteAddress.map { "\($0)" } ?? "?"): \(config.maxConnections) connections open, the limit set by maxConnections; raise it or close idle clients")
                            group.addTask { try? await connection.executeThenClose { _, _ in } }
                            continue
                        }
                        group.addTask { await self.serve(connection, id: id, router: router) }
                    }
                }
            }
        } onGracefulShutdown: {
            self.logger.info("kafka protocol stopping: no new connections; open ones finish their current request")
            server.channel.close(promise: nil)
            self.registry.closeInputs()
        }
        logger.info("kafka protocol stopped")
    }

    private func bootstrap() -> ServerBootstrap {
        ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // Closing the input at shutdown (or a client's half-close) must only end the
            // stream of requests, so the request being answered still gets its response.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
    }

    /// Serves one connection: requests are answered one at a time, in the order they
    /// arrived, so pipelined requests get their responses in order.
    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, [FramePart]>, id: UInt64, router: ApiRouter) async {
        var info = ConnectionInfo(id: id, remote: connection.channel.remoteAddress, logger: logger)
        info.logger.debug("connection opened")
        defer { registry.forget(id) }
        var handshakeChecked = config.tls == nil
        var gate = config.sasl.map { SaslGate(config: $0, credentials: services.credentials) }
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await frame in inbound {
                    if !handshakeChecked {
                        // A frame came through TLS: the handshake is done.
                        handshakeChecked = true
                        await authenticateByCertificate(connection.channel, &info)
                    }
                    let answered = RequestAnswered(bytes: frame.readableBytes)
                    if gate != nil {
                        switch await gate!.intercept(frame) {
                        case .route: break
                        case .respond(let writer, let principal):
                            if let principal {
                                // Frames may be as large as socketRequestMaxBytes from now on;
                                // queued before the answer, so it applies to the next request.
                                connection.channel.triggerUserOutboundEvent(ConnectionAuthenticated(), promise: nil)
                                info.principal = principal
                                info.logger[metadataKey: "principal"] = "\(principal)"
                                info.logger.debug("authenticated")
                            }
                            try await outbound.write(writer.parts)
                            connection.channel.triggerUserOutboundEvent(answered, promise: nil)
                            continue
                        case .fail(let writer, let reason):
                            info.logger.info("closing connection: \(reason)")
                            try? await Task.sleep(for: .milliseconds(gate!.config.failedAuthenticationDelayMs))
                            if let writer { try await outbound.write(writer.parts) }
                            return
                        case .close(let reason):
                            info.logger.warning("closing connection: \(reason)")
                            return
                        }
                    }
                    switch await router.answer(frame, connection: &info) {
                    case .respond(let writer):
                        try await outbound.write(writer.parts)
                        connection.channel.triggerUserOutboundEvent(answered, promise: nil)
                    case .noResponse:
                        connection.channel.triggerUserOutboundEvent(answered, promise: nil)
                    case .close(let reason):
                        info.logger.warning("closing connection: \(reason)")
                        return
                    }
                    // Kafka mutes a throttled client's channel after sending the response:
                    // nothing more of this connection is read or answered until it passes.
                    if info.throttleMs > 0 {
                        info.logger.trace("throttled by client quota", metadata: ["ms": "\(info.throttleMs)"])
                        try? await Task.sleep(for: .milliseconds(info.throttleMs))
                    }
                }
                info.logger.debug("connection closed: the client closed it, or the server is stopping")
            }
        } catch let error as KafkaCodecError {
            info.logger.warning("closing connection: \(error)")
        } catch {
            info.logger.debug("connection ended: \(error)")
        }
    }

    /// A client certificate's subject becomes the connection's principal (Kafka's
    /// default `ssl.principal.mapping.rules`); without one the connection stays anonymous.
    private func authenticateByCertificate(_ channel: any Channel, _ info: inout ConnectionInfo) async {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get(),
              let name = PeerCertificatePrincipal.name(of: certificate) else { return }
        info.principal = .user(name)
        info.logger[metadataKey: "principal"] = "\(info.principal)"
        info.logger.info("TLS client authenticated by its certificate")
    }

    /// The TLS context every connection shares, or nil for plaintext.
    private func makeTLSContext() throws -> NIOSSLContext? {
        guard let settings = config.tls else { return nil }
        do throws(TLSSetupError) {
            return try settings.makeServerContext(resolve: { $0 })   // resolved by the factory
        } catch {
            let failure = KafkaServerError.tls(error)
            registry.failBind(failure)
            throw failure
        }
    }

    private func parse(_ text: String, key: String) throws -> HostPort {
        do {
            return try HostPort(parsing: text)
        } catch {
            let failure = KafkaServerError.invalidAddress(key: key, reason: error.description)
            registry.failBind(failure)
            throw failure
        }
    }

    /// A wildcard listen address cannot be given to clients; the host name stands in.
    static func advertisable(_ host: String) -> String {
        host == "0.0.0.0" || host == "::" ? ProcessInfo.processInfo.hostName : host
    }

    private func writePortFile(_ bound: HostPort) throws {
        guard let path = config.portFile else { return }
        do {
            try Data("\(bound)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            let failure = KafkaServerError.portFile(path: path, reason: "\(error)")
            registry.failBind(failure)
            throw failure
        }
    }
}

/// Why the Kafka server could not start.
public enum KafkaServerError: Error, CustomStringConvertible {
    case bindFailed(address: String, reason: String)
    case invalidAddress(key: String, reason: String)
    case portFile(path: String, reason: String)
    case tls(TLSSetupError)

    public var description: String {
        switch self {
        case .bindFailed(let address, let reason):
            "kafka: cannot listen on \(address): \(reason); choose a free port in config.listen or stop the process holding it"
        case .invalidAddress(let key, let reason):
            "kafka: config.\(key): \(reason)"
        case .portFile(let path, let reason):
            "kafka: cannot write the bound address to portFile \(path): \(reason)"
        case .tls(let error):
            "kafka: config.tls.\(error.key): \(error.message)"
        }
    }
}
