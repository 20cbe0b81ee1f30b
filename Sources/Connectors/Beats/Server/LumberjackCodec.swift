import Foundation
import NIOCore

/// Bytes in, window chunks out: the channel side of `WindowAssembler`.
///
/// Frames are parsed in the buffers the socket reads filled, so an event's bytes are
/// not copied on their way to its record batch. Only a frame that a read ends inside is
/// gathered into a buffer of its own, and only from the bytes it spans; a generic
/// `ByteToMessageHandler` would instead copy every byte read into one cumulation buffer.
final class LumberjackDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = WindowChunk

    private var assembler: WindowAssembler
    /// The start of a frame that the last read ended inside.
    private var partial: ByteBuffer?
    /// Set once a protocol error was raised: later bytes are ignored while the
    /// connection closes.
    private var failed = false

    init(assembler: WindowAssembler) {
        self.assembler = assembler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var incoming = unwrapInboundIn(data)
        let arrival = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            try completePartialFrame(&incoming, context: context, arrival: arrival)
            guard partial == nil else { return }
            try consume(&incoming, context: context, arrival: arrival)
            if incoming.readableBytes > 0 {
                // A copy of just the unfinished frame's bytes, so the read's buffer is
                // not kept alive, nor copied whole when the frame grows.
                var rest = context.channel.allocator.buffer(capacity: incoming.readableBytes)
                rest.writeBuffer(&incoming)
                partial = rest
            }
        } catch {
            failed = true
            partial = nil
            context.fireErrorCaught(error)
        }
    }

    /// Moves bytes from the front of `incoming` into the unfinished frame — as many as the
    /// frame still needs, so the rest of the read is parsed where it lies — and emits it
    /// once whole. `partial` stays set when `incoming` ran out first.
    private func completePartialFrame(_ incoming: inout ByteBuffer, context: ChannelHandlerContext, arrival: Int64) throws {
        while var head = partial, incoming.readableBytes > 0 {
            partial = nil
            let target = assembler.parser.frameBytesNeeded(head).map { max($0, head.readableBytes + 1) } ?? Int.max
            let take = min(target - head.readableBytes, incoming.readableBytes)
            if target != Int.max { head.reserveCapacity(minimumWritableBytes: take) }
            var piece = incoming.readSlice(length: take)!
            head.writeBuffer(&piece)
            try consume(&head, context: context, arrival: arrival)
            if head.readableBytes > 0 { partial = head }
        }
    }

    private func consume(_ buffer: inout ByteBuffer, context: ChannelHandlerContext, arrival: Int64) throws {
        try assembler.consume(&buffer, arrival: arrival) { chunk in
            context.fireChannelRead(Self.wrapInboundOut(chunk))
        }
    }

    /// At end of input, a trailing partial frame is dropped. Its window was never
    /// acknowledged, so the client resends it.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { partial = nil }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partial = nil
        context.fireChannelInactive()
    }
}

/// Acks out as six bytes each.
struct AckEncoder: MessageToByteEncoder {
    typealias OutboundIn = BeatsAck

    func encode(data: BeatsAck, out: inout ByteBuffer) throws {
        Lumberjack.writeAck(version: data.version, sequence: data.sequence, to: &out)
    }
}
