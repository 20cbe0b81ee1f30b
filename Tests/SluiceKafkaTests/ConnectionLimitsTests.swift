@testable import KafkaWire
import Logging
import NIOCore
import NIOEmbedded
@testable import SluiceKafka
import SluiceKafkaClient
import Testing

/// Counts the `read()` calls that get past the handlers in front of it, i.e. the reads
/// the socket would really perform.
private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
    var reads = 0
    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

@Suite("connection limits")
struct ConnectionLimitsTests {
    private func frame(_ bytes: Int) -> ByteBuffer { ByteBuffer(repeating: 0, count: bytes) }

    @Test func readingPausesWhileUnansweredRequestsExceedTheLimitAndResumesWhenAnswered() throws {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(InflightBytesLimiter(limit: 1000))

        channel.read()
        #expect(counter.reads == 1, "below the limit a read goes through")
        try channel.writeInbound(frame(600))
        channel.read()
        #expect(counter.reads == 2, "600 of 1000 bytes in flight: still reading")
        try channel.writeInbound(frame(600))
        channel.read()
        channel.read()
        #expect(counter.reads == 2, "1200 bytes unanswered: the read is held")

        channel.pipeline.triggerUserOutboundEvent(RequestAnswered(bytes: 600), promise: nil)
        #expect(counter.reads == 3, "answering one request releases the held read once")
        channel.read()
        #expect(counter.reads == 4)
        #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == 600, "requests are passed on untouched")
        _ = try channel.finish()
    }

    @Test func oneRequestLargerThanTheLimitIsStillRead() throws {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(InflightBytesLimiter(limit: 1000))
        try channel.writeInbound(frame(5000))
        channel.read()
        #expect(counter.reads == 0, "5000 bytes unanswered: held")
        channel.pipeline.triggerUserOutboundEvent(RequestAnswered(bytes: 5000), promise: nil)
        #expect(counter.reads == 1, "answered: reading resumes")
        _ = try channel.finish()
    }

    @Test func anIdleConnectionIsClosedOnlyWhenNoRequestIsBeingAnswered() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(IdleConnectionCloser(idleMs: 1000, logger: Logger(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(frame(10))
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(channel.isActive, "a request is being answered (a long-poll Fetch): not idle")
        channel.pipeline.triggerUserOutboundEvent(RequestAnswered(bytes: 10), promise: nil)
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        #expect(channel.isActive, "only 'nothing read or written' counts as idle")
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(!channel.isActive, "idle with nothing owed: closed")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
