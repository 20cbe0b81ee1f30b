import KafkaWire
import Logging
import NIOCore

/// Closes a connection that has read and written nothing for `connectionsMaxIdleMs`
/// (Kafka's `connections.max.idle.ms`) while none of its requests is being answered —
/// a long-poll Fetch or a slow Produce is waiting, not idle. Sits after an
/// `IdleStateHandler(allTimeout:)`, whose events it turns into closes.
final class IdleConnectionCloser: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    /// The configured idle limit, in milliseconds (for the log line).
    let idleMs: Int64
    let logger: Logger
    private var outstanding = 0

    init(idleMs: Int64, logger: Logger) {
        self.idleMs = idleMs
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        outstanding += 1
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard outstanding == 0 else { return }
        logger.info("closing connection idle for \(idleMs) ms (connectionsMaxIdleMs); the client reconnects when it needs to")
        context.close(promise: nil)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is RequestAnswered { outstanding = max(0, outstanding - 1) }
        context.triggerUserOutboundEvent(event, promise: promise)
    }
}

@available(*, unavailable)
extension IdleConnectionCloser: Sendable {}
