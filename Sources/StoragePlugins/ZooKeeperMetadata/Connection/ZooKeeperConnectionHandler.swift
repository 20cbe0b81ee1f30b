import NIOCore

/// The last handler of a connection's pipeline: decodes the first frame as the
/// handshake's `ConnectResponse` (completing `handshake`), then hands every later frame
/// to the client through `frames`, in order. The stream finishes when the connection
/// closes; a handshake still waiting fails then.
final class ZooKeeperConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private enum State {
        case handshaking(EventLoopPromise<ConnectResponse>)
        case open
        case closed
    }

    private var state: State
    private let frames: AsyncStream<ByteBuffer>.Continuation

    init(handshake: EventLoopPromise<ConnectResponse>, frames: AsyncStream<ByteBuffer>.Continuation) {
        state = .handshaking(handshake)
        self.frames = frames
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        switch state {
        case .handshaking(let handshake):
            do {
                let response = try ConnectResponse.decode(&frame)
                state = .open
                if !response.isExpired {
                    context.triggerUserOutboundEvent(ZooKeeperKeepAliveHandler.Start(timeoutMs: Int(response.timeoutMs)),
                                                     promise: nil)
                }
                handshake.succeed(response)
            } catch {
                state = .closed
                handshake.fail(error)
                frames.finish()
                context.close(promise: nil)
            }
        case .open:
            frames.yield(frame)
        case .closed:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .handshaking(let handshake) = state {
            handshake.fail(ZooKeeperConnectionError(reason: "the server closed the connection during the handshake"))
        }
        state = .closed
        frames.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset connection or a garbled frame: close; channelInactive ends the stream.
        context.close(promise: nil)
    }
}

/// Why a connection to one server could not be used.
struct ZooKeeperConnectionError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
