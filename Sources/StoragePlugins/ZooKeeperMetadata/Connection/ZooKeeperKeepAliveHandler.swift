import Logging
import NIOCore

/// Keeps a session's connection alive and notices when it is dead, on the event loop
/// (timers there are not delayed by a busy Swift concurrency pool).
///
/// Started by the `Start` outbound event once the handshake has given the negotiated
/// session timeout `t`: from then on it sends a ping whenever nothing was written for
/// t/3, and closes the connection when nothing was read for 2t/3 (the server answers
/// every ping, so a healthy connection is never that quiet); the client then reconnects
/// to a server of the ensemble within the rest of the session timeout.
final class ZooKeeperKeepAliveHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Starts the pings and the read timeout for a negotiated session timeout.
    struct Start: Sendable {
        var timeoutMs: Int
    }

    private let logger: Logger
    private var lastRead = NIODeadline.now()
    private var lastWrite = NIODeadline.now()
    private var timer: RepeatedTask?

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastWrite = .now()
        context.write(data, promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let start = event as? Start else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        promise?.succeed()
        timer?.cancel()
        let pingEvery = TimeAmount.milliseconds(Int64(max(start.timeoutMs / 3, 2)))
        let readTimeout = TimeAmount.milliseconds(Int64(max(start.timeoutMs * 2 / 3, 2)))
        let tickEvery = TimeAmount.milliseconds(Int64(max(start.timeoutMs / 6, 1)))
        lastRead = .now()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        // Ticks at t/6, so a ping is at most t/6 late and a dead connection is noticed
        // between 2t/3 and 5t/6.
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: tickEvery, delay: tickEvery) { _ in
            let (handler, context) = loopBound.value
            handler.tick(context: context, pingEvery: pingEvery, readTimeout: readTimeout)
        }
    }

    private func tick(context: ChannelHandlerContext, pingEvery: TimeAmount, readTimeout: TimeAmount) {
        let now = NIODeadline.now()
        if now - lastRead >= readTimeout {
            logger.warning("no answer from the ZooKeeper server for \((now - lastRead).nanoseconds / 1_000_000) ms; closing the connection",
                           metadata: ["zk.server": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")"])
            timer?.cancel()
            timer = nil
            context.close(promise: nil)
            return
        }
        if now - lastWrite >= pingEvery {
            lastWrite = now
            context.writeAndFlush(wrapOutboundOut(ZooKeeperRequest.ping.frame(xid: ZooKeeperXid.ping, allocator: context.channel.allocator)),
                                  promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }
}
