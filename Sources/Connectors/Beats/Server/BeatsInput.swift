import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import SluiceKernel

/// The running `beats-input` connector: accepts Lumberjack connections until graceful
/// shutdown, then stops accepting, lets every connection finish the chunks it has
/// received (appending and acknowledging them) and returns.
public final class BeatsInput: Connector, Sendable {
    /// Chunks a connection buffers before it stops reading from its socket, and the level
    /// at which it reads again. With chunks of at most `chunkBytes`, this bounds the
    /// memory one connection holds beyond a single compressed frame.
    static let inboundHighWatermark = 8
    static let inboundLowWatermark = 2

    public let name: String
    let config: BeatsInputFactory.Configuration
    let services: ConnectorServices
    let logger: Logger
    let metrics: BeatsMetrics
    let tls: NIOSSLContext?
    let group: any EventLoopGroup
    /// Events are handed to the writer in chunks of about this many bytes: the broker's
    /// largest batch, capped at 4 MiB.
    let chunkBytes: Int
    private let listening = ListeningState()

    /// - Parameter group: the event loops serving connections (default: NIO's shared group).
    public init(config: BeatsInputFactory.Configuration, services: ConnectorServices, context: PluginContext,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(BeatsInputError) {
        self.name = context.instanceName
        self.config = config
        self.services = services
        self.logger = context.logger
        self.metrics = BeatsMetrics(instance: context.instanceName)
        self.tls = try BeatsInputFactory.tlsContext(config, context: context)
        self.group = group
        self.chunkBytes = min(services.settings.broker.messageMaxBytes, 4 << 20)
    }

    /// The port the input listens on, once `run()` has bound it (config port 0 picks one).
    /// - Throws: the bind error when binding failed.
    public func listeningPort() async throws -> Int {
        try await listening.port()
    }

    public func run() async throws {
        let server: NIOAsyncChannel<NIOAsyncChannel<WindowChunk, BeatsAck>, Never>
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 64 << 10, maximum: 1 << 20))
                .bind(host: config.listen.host, port: config.listen.port) { channel in
                    channel.eventLoop.makeCompletedFuture { try self.configure(channel) }
                }
        } catch {
            let failure = BeatsInputError.bindFailed(address: config.listen.description, reason: "\(error)")
            await listening.fail(failure)
            throw failure
        }
        let port = server.channel.localAddress?.port ?? config.listen.port
        if let portFile = config.portFile {
            do {
                try Data("\(HostPort(host: config.listen.host, port: port))\n".utf8).write(to: URL(fileURLWithPath: portFile), options: .atomic)
            } catch {
                let failure = BeatsInputError.portFile(path: portFile, reason: "\(error)")
                await listening.fail(failure)
                try? await server.channel.close()
                throw failure
            }
        }
        await listening.bound(port)
        logger.info("beats input listening", metadata: [
            "address": "\(HostPort(host: config.listen.host, port: port))", "topic": "\(config.topic)", "tls": "\(tls != nil)",
        ])
        try await withGracefulShutdownHandler {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
        logger.info("beats input stopped")
    }

    /// The pipeline of one connection: [TLS] → frames to chunks → ack encoder → idle
    /// timer → guard → async bridge with bounded buffering.
    private func configure(_ channel: any Channel) throws -> NIOAsyncChannel<WindowChunk, BeatsAck> {
        let sync = channel.pipeline.syncOperations
        if let tls { try sync.addHandler(NIOSSLServerHandler(context: tls)) }
        let assembler = WindowAssembler(parser: LumberjackParser(limits: config.limits),
                                        scanner: EventScanner(keyField: config.keyField, topicField: config.topicField),
                                        chunkBytes: chunkBytes)
        try sync.addHandler(LumberjackDecoder(assembler: assembler))
        try sync.addHandler(MessageToByteHandler(AckEncoder()))
        try sync.addHandler(IdleStateHandler(readTimeout: .milliseconds(config.idleTimeoutMs)))
        try sync.addHandler(ConnectionGuard(keepaliveInterval: .milliseconds(config.keepaliveMs),
                                            idleTimeout: .milliseconds(config.idleTimeoutMs),
                                            metrics: metrics, logger: connectionLogger(channel)))
        return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(
            backPressureStrategy: .init(lowWatermark: Self.inboundLowWatermark, highWatermark: Self.inboundHighWatermark)))
    }

    private func connectionLogger(_ channel: any Channel) -> Logger {
        var logger = self.logger
        logger[metadataKey: "remote"] = "\(channel.remoteAddress.map { "\($0)" } ?? "unknown")"
        return logger
    }

    private func serve(_ connection: NIOAsyncChannel<WindowChunk, BeatsAck>) async {
        metrics.connections.increment()
        metrics.openConnections.increment()
        defer { metrics.openConnections.decrement() }
        let logger = connectionLogger(connection.channel)
        logger.debug("beats connection opened")
        var session = BeatsConnection(channel: connection, writer: ChunkWriter(services: services, defaultTopic: config.topic, logger: logger),
                                      metrics: metrics, logger: logger)
        await withGracefulShutdownHandler {
            await session.run()
        } onGracefulShutdown: {
            // Stop reading; what was received is still written and acknowledged.
            let channel = connection.channel
            let closed = channel.eventLoop.makePromise(of: Void.self)
            closed.futureResult.whenFailure { _ in channel.close(promise: nil) }
            channel.close(mode: .input, promise: closed)
        }
    }
}

/// The bound port, for callers that start `run()` and then need the address.
private actor ListeningState {
    private var result: Result<Int, BeatsInputError>?
    private var waiters: [CheckedContinuation<Int, any Error>] = []

    func bound(_ port: Int) { finish(.success(port)) }
    func fail(_ error: BeatsInputError) { finish(.failure(error)) }

    func port() async throws -> Int {
        if let result { return try result.get() }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    private func finish(_ result: Result<Int, BeatsInputError>) {
        self.result = result
        for waiter in waiters { waiter.resume(with: result.mapError { $0 }) }
        waiters.removeAll()
    }
}
