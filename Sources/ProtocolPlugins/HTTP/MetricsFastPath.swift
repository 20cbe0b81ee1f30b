import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `GET /metrics` on the connection's event loop from the published rendering,
/// before the request reaches Hummingbird's router. A scrape then costs one HTTP parse
/// and one write; through the router it also costs two hops between the event loop and
/// Swift's concurrency pool and the async channel's bookkeeping, about three times as
/// much CPU per request (see docs/http.md).
///
/// It steps aside, passing the request on to the router's `/metrics` route (which renders
/// and publishes), when the rendering is older than its `maxAge` or when a request passed
/// on earlier is still being answered, so responses on a pipelined connection keep their
/// order. It sits between the HTTP/1 codec and Hummingbird's connection handler, and
/// like it honours `Connection: close`.
final class MetricsFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The path answered here.
    static let path = "/metrics"
    /// `Content-Type` of the Prometheus text exposition format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let snapshot: MetricsSnapshot
    /// Requests passed on whose response has not ended yet.
    private var passedOn = 0
    /// The request answered here, from its head until its end arrives.
    private var answering: (bytes: ByteBuffer, close: Bool)?

    init(snapshot: MetricsSnapshot) {
        self.snapshot = snapshot
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if passedOn == 0, request.method == .get, request.path == Self.path, let bytes = snapshot.fresh() {
                answering = (bytes, request.headerFields[.connection]?.lowercased() == "close")
                return
            }
            passedOn += 1
            context.fireChannelRead(data)
        case .body:
            if answering == nil { context.fireChannelRead(data) }
        case .end:
            guard let (bytes, close) = answering else {
                context.fireChannelRead(data)
                return
            }
            answering = nil
            respond(context: context, bytes: bytes, close: close)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { passedOn = max(0, passedOn - 1) }
        context.write(data, promise: promise)
    }

    private func respond(context: ChannelHandlerContext, bytes: ByteBuffer, close: Bool) {
        var fields: HTTPFields = [.contentType: Self.contentType, .contentLength: String(bytes.readableBytes)]
        if close { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(bytes)), promise: nil)
        if close {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
