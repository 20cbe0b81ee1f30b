import Foundation
import NIOCore

/// Bytes in, window chunks out: the channel side of `WindowAssembler`.
final class LumberjackDecoder: ByteToMessageDecoder {
    typealias InboundOut = WindowChunk

    private var assembler: WindowAssembler

    init(assembler: WindowAssembler) {
        self.assembler = assembler
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let arrival = Int64(Date().timeIntervalSince1970 * 1000)
        try assembler.consume(&buffer, arrival: arrival) { chunk in
            context.fireChannelRead(Self.wrapInboundOut(chunk))
        }
        return .needMoreData
    }

    /// At end of input, whole frames still count; a trailing partial frame is dropped.
    /// Its window was never acknowledged, so the client resends it.
    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        _ = try decode(context: context, buffer: &buffer)
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}

/// Acks out as six bytes each.
struct AckEncoder: MessageToByteEncoder {
    typealias OutboundIn = BeatsAck

    func encode(data: BeatsAck, out: inout ByteBuffer) throws {
        Lumberjack.writeAck(version: data.version, sequence: data.sequence, to: &out)
    }
}
