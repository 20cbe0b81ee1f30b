import Logging
import NIOCore
import NIOPosix

/// One TCP connection to one server of the ensemble, past the handshake: the server's
/// `ConnectResponse`, the frames it sends after it (replies and notifications, in
/// order; the stream ends when the connection closes), and a way to send frames.
///
/// Pipeline, socket first: keep-alive (pings, read timeout), frame decoder, then the
/// handler that completes the handshake and feeds `frames`. Outgoing frames are written
/// whole (length prefix included) by the jute codec.
struct ZooKeeperConnection: Sendable {
    /// The server's answer to the handshake (check `isExpired` before using the session).
    let response: ConnectResponse
    /// The frames after the handshake, each a `ReplyHeader` and its record. One consumer.
    let frames: AsyncStream<ByteBuffer>
    /// "host:port", for logs.
    let server: String
    private let channel: any Channel

    /// Connects to `host:port`, sends `request` and waits for the server's
    /// `ConnectResponse`, all within `timeout`.
    /// - Throws: when the server cannot be reached, closes the connection, or does not
    ///   answer in time.
    static func open(host: String, port: Int, request: ConnectRequest, timeout: TimeAmount,
                     logger: Logger) async throws -> ZooKeeperConnection {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = loop.makePromise(of: ConnectResponse.self)
        let (frames, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .unbounded)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    do {
                        try channel.pipeline.syncOperations.addHandlers(
                            ZooKeeperKeepAliveHandler(logger: logger),
                            ByteToMessageHandler(ZooKeeperFrameDecoder()),
                            ZooKeeperConnectionHandler(handshake: handshake, frames: continuation))
                        return channel.eventLoop.makeSucceededVoidFuture()
                    } catch {
                        return channel.eventLoop.makeFailedFuture(error)
                    }
                }
                .connect(host: host, port: port)
                .get()
        } catch {
            handshake.fail(error)
            continuation.finish()
            throw error
        }
        // The handshake shares the connect's bound; closing fails it (channelInactive).
        let deadline = loop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        channel.writeAndFlush(request.frame, promise: nil)
        do {
            let response = try await handshake.futureResult.get()
            deadline.cancel()
            return ZooKeeperConnection(response: response, frames: frames, server: "\(host):\(port)", channel: channel)
        } catch {
            deadline.cancel()
            channel.close(promise: nil)
            throw error
        }
    }

    /// Queues one whole frame; a failed write closes the connection, which ends `frames`.
    func send(_ frame: ByteBuffer) {
        channel.writeAndFlush(frame).whenFailure { [channel] _ in channel.close(promise: nil) }
    }

    /// An allocator for frames to `send`.
    var allocator: ByteBufferAllocator { channel.allocator }

    /// Closes the connection now (`frames` ends); the session lives on at the server
    /// until its timeout unless a `closeSession` was answered first.
    func close() {
        channel.close(promise: nil)
    }

    /// Closes the connection after `delay` unless it has closed by then: bounds a wait
    /// for a reply that may never come.
    func close(after delay: TimeAmount) -> Scheduled<Void> {
        channel.eventLoop.scheduleTask(in: delay) { [channel] in channel.close(promise: nil) }
    }
}
