import KafkaWire
import NIOCore

/// A request on its way out: its encoded frame and, unless it gets no response
/// (Produce with acks=0), the promise its response frame completes.
struct OutgoingRequest {
    var parts: [FramePart]
    var response: EventLoopPromise<ByteBuffer>?
}

/// Matches response frames to requests. Kafka answers the requests of one connection in
/// the order they were sent, so a FIFO of promises is enough; the correlation id is
/// checked when the response is decoded.
final class ClientChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutgoingRequest
    typealias OutboundOut = [FramePart]

    private var waiting = CircularBuffer<EventLoopPromise<ByteBuffer>>()
    private var failure: (any Error)?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.response?.fail(failure)
            promise?.fail(failure)
            return
        }
        if let response = request.response { waiting.append(response) }
        context.write(wrapOutboundOut(request.parts), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let next = waiting.popFirst() else {
            errorCaught(context: context, error: KafkaClientError.unexpectedResponse)
            return
        }
        next.succeed(frame)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Socket errors (a reset when the broker closes on us) surface as the client's own
        // error type, so callers handle one kind of failure.
        failAll(error as? KafkaClientError ?? (error as? KafkaCodecError).map(KafkaClientError.codec)
                ?? .connectionLost(reason: "\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(KafkaClientError.connectionClosed)
        context.fireChannelInactive()
    }

    private func failAll(_ error: any Error) {
        if failure == nil { failure = error }
        while let promise = waiting.popFirst() { promise.fail(error) }
    }
}

/// Why a client request failed.
public enum KafkaClientError: Error, Sendable, CustomStringConvertible {
    case connectionFailed(address: String, reason: String)
    case connectionClosed
    /// The connection failed (e.g. reset by the broker).
    case connectionLost(reason: String)
    case unexpectedResponse
    /// The broker does not answer this API in any version this client speaks.
    case unsupportedApi(ApiKey, broker: ClosedRange<Int16>?)
    case codec(KafkaCodecError)
    /// The broker refused the request (a Kafka error code) with its message, if any.
    case broker(KafkaErrorCode, message: String?, context: String)

    public var description: String {
        switch self {
        case .connectionFailed(let address, let reason):
            return "cannot connect to \(address): \(reason); is sluice serving the kafka protocol there?"
        case .connectionLost(let reason):
            return "the connection to the broker failed: \(reason)"
        case .connectionClosed:
            return "the broker closed the connection"
        case .unexpectedResponse:
            return "the broker sent a response no request was waiting for"
        case .unsupportedApi(let api, let range):
            return "the broker does not support \(api) in a version this client speaks"
                + (range.map { " (broker: \($0.lowerBound)-\($0.upperBound))" } ?? " (not offered)")
        case .codec(let error):
            return "malformed response: \(error)"
        case .broker(let code, let message, let context):
            return "\(context): \(code)" + (message.map { ": \($0)" } ?? "")
        }
    }
}
