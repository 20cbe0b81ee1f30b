import KafkaWire
import NIOCore

/// Sent down the pipeline (`triggerUserOutboundEvent`) by the connection's serve loop
/// once it has answered a request (or decided it gets no answer), so the handlers that
/// count requests in flight can release it.
struct RequestAnswered: Sendable {
    /// Size of the request frame, in bytes (size prefix excluded).
    let bytes: Int
}

/// Backpressure on one connection: counts the bytes of request frames read and not yet
/// answered, and holds the channel's `read()` while they exceed `limit`
/// (`connectionInflightMaxBytes`), so a client pipelining large requests faster than
/// they are answered is slowed down by TCP instead of growing the server's memory.
/// One request larger than the limit is still read when nothing else is in flight.
final class InflightBytesLimiter: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    /// Most unanswered request bytes before reading stops.
    let limit: Int
    private var inflight = 0
    private var heldRead = false

    init(limit: Int) { self.limit = limit }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inflight += unwrapInboundIn(data).readableBytes
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if inflight >= limit {
            heldRead = true
        } else {
            context.read()
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let answered = event as? RequestAnswered else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        inflight = max(0, inflight - answered.bytes)
        if heldRead, inflight < limit {
            heldRead = false
            context.read()
        }
        context.triggerUserOutboundEvent(event, promise: promise)
    }
}

@available(*, unavailable)
extension InflightBytesLimiter: Sendable {}
