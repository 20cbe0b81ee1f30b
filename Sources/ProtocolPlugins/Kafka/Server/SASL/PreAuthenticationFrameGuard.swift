import Logging
import NIOCore

/// Sent down a connection's pipeline (an outbound user event) once it has authenticated:
/// from then on its frames may be as large as `socketRequestMaxBytes`.
struct ConnectionAuthenticated: Sendable {}

/// Refuses, at its 4-byte size prefix, a frame larger than `limit` bytes from a client
/// that has not authenticated yet (Kafka's `sasl.server.max.receive.size`), and closes the
/// connection. The frame decoder after it would otherwise buffer up to
/// `socketRequestMaxBytes` (100 MiB) for a stranger before the SASL gate sees the frame.
///
/// It sits between TLS and the frame decoder, follows frame boundaries in the raw bytes
/// (a size prefix may arrive split across reads), and steps aside for good on
/// ``ConnectionAuthenticated``. Event-loop confined, like every channel handler.
final class PreAuthenticationFrameGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// Largest frame body accepted before authentication, in bytes.
    let limit: Int
    private let logger: Logger
    private var authenticated = false
    /// Body bytes of the current frame still to pass before the next size prefix.
    private var remainingInFrame = 0
    /// The bytes of a size prefix that arrived split (0–3 of them).
    private var partialPrefix: [UInt8] = []

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !authenticated else { return context.fireChannelRead(data) }
        let buffer = unwrapInboundIn(data)
        if let size = firstOversizedFrame(in: buffer) {
            logger.warning("closing connection: a frame of \(size) bytes before SASL authentication is over sasl.maxReceiveBytes \(limit)")
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is ConnectionAuthenticated {
            authenticated = true
            partialPrefix = []
            promise?.succeed(())
            return
        }
        context.triggerUserOutboundEvent(event, promise: promise)
    }

    /// Walks the frames `buffer` continues; returns the size a prefix announces when it is
    /// over the limit (or negative), nil when every prefix so far is acceptable.
    private func firstOversizedFrame(in buffer: ByteBuffer) -> Int? {
        var index = buffer.readerIndex
        let end = buffer.writerIndex
        while index < end {
            if remainingInFrame > 0 {
                let skipped = min(remainingInFrame, end - index)
                remainingInFrame -= skipped
                index += skipped
                continue
            }
            partialPrefix.append(buffer.getInteger(at: index, as: UInt8.self)!)
            index += 1
            guard partialPrefix.count == 4 else { continue }
            let size = Int(Int32(bitPattern: partialPrefix.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
            partialPrefix = []
            guard (0...limit).contains(size) else { return size }
            remainingInFrame = size
        }
        return nil
    }
}
