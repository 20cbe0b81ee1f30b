import Logging
import NIOCore
import NIOSSL

/// Watches one connection from the event loop: sends keepalive acks while a window is
/// being written, closes the connection when the client goes quiet with nothing left to
/// acknowledge, and closes it with one clear log line on a protocol error or limit.
///
/// It sees every chunk on its way to the writer and every ack on its way out, so it knows
/// which windows are open without sharing state across threads.
final class ConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = WindowChunk
    typealias InboundOut = WindowChunk
    typealias OutboundIn = BeatsAck
    typealias OutboundOut = BeatsAck

    private let keepaliveInterval: TimeAmount
    private let idleTimeout: TimeAmount
    private let metrics: BeatsMetrics
    private let logger: Logger

    /// Versions of windows whose first chunk passed and whose ack did not, oldest first.
    private var openWindows: [UInt8] = []
    /// Windows fully received and not yet acknowledged.
    private var awaitingAck = 0
    private var lastAckSent = NIODeadline.now()
    private var keepaliveTask: RepeatedTask?

    init(keepaliveInterval: TimeAmount, idleTimeout: TimeAmount, metrics: BeatsMetrics, logger: Logger) {
        self.keepaliveInterval = keepaliveInterval
        self.idleTimeout = idleTimeout
        self.metrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Checking twice per interval keeps the gap between acks under one interval.
        let period = TimeAmount.nanoseconds(max(keepaliveInterval.nanoseconds / 2, 1_000_000))
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        keepaliveTask = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            let (handler, context) = bound.value
            handler.keepaliveIfDue(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        keepaliveTask?.cancel()
        keepaliveTask = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let chunk = unwrapInboundIn(data)
        if chunk.startsWindow {
            // The first keepalive is due one interval after a window opens, not earlier.
            if openWindows.isEmpty { lastAckSent = .now() }
            openWindows.append(chunk.version)
        }
        if chunk.completesWindow { awaitingAck += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .window = unwrapOutboundIn(data) {
            if !openWindows.isEmpty { openWindows.removeFirst() }
            awaitingAck = max(0, awaitingAck - 1)
            lastAckSent = .now()
        }
        context.write(data, promise: promise)
    }

    private func keepaliveIfDue(context: ChannelHandlerContext) {
        guard let version = openWindows.first, context.channel.isActive,
              NIODeadline.now() - lastAckSent >= .nanoseconds(keepaliveInterval.nanoseconds / 2) else { return }
        lastAckSent = .now()
        metrics.keepalives.increment()
        context.writeAndFlush(wrapOutboundOut(.keepalive(version: version)), promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            // Waiting on storage is not idleness: only a client that sends nothing while
            // nothing is owed to it is closed.
            if awaitingAck == 0 {
                logger.info("closing idle beats connection: nothing received for \(idleTimeout.nanoseconds / 1_000_000) ms (idleTimeoutMs)")
                context.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case NIOSSLError.uncleanShutdown = error {
            // TLS clients that just close their socket (pylogbeat does) end this way.
            logger.debug("TLS client closed without close_notify")
            context.close(promise: nil)
            return
        }
        metrics.errors.increment()
        switch error {
        case let error as BeatsProtocolError:
            logger.error("closing beats connection: \(error)")
        case let error as IOError:
            logger.info("beats connection failed: \(error)")
        case let error as NIOSSLError:
            logger.warning("closing beats connection: TLS failed (\(error)); is the client configured for TLS with a CA that signed certificatePath?")
        default:
            logger.warning("closing beats connection after an error: \(error)")
        }
        context.close(promise: nil)
    }
}
