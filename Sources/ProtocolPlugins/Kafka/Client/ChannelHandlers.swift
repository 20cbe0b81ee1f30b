import Foundation
import KafkaWire
import NIOCore

/// Splits the byte stream into Kafka frames (size prefix removed). A size outside
/// `0...maxFrameBytes` is an error before anything is buffered for it; the connection is
/// then closed by its owner. The server and the client both frame with it.
package struct KafkaFrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = ByteBuffer

    /// Largest frame accepted, in bytes.
    package let maxFrameBytes: Int

    /// - Parameter maxFrameBytes: largest frame accepted, in bytes.
    package init(maxFrameBytes: Int) { self.maxFrameBytes = maxFrameBytes }

    /// The largest frame given its whole buffer as soon as its size is known, in bytes
    /// (8 MiB: a producer's batches, a fetch response of a few partitions).
    static let largestPreallocatedFrame = 8 << 20

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try KafkaFrame.next(from: &buffer, maxSize: maxFrameBytes) else {
            Self.makeRoomForFrame(in: &buffer, allocator: context.channel.allocator)
            return .needMoreData
        }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    /// Gives a frame that has only begun to arrive a buffer of its full size, holding the
    /// bytes so far; the handler then appends each later read to it. Otherwise the
    /// handler grows its buffer read by read: a produce of 1 MiB arriving in 64 KiB reads
    /// was reallocated and copied at every doubling (fresh pages each time), and when the
    /// buffer still held the frame before it (its slice is being answered), growing it
    /// copied that frame too. Frames above `largestPreallocatedFrame` grow as they arrive,
    /// so that a peer claiming a huge frame and sending little gets no buffer for it.
    static func makeRoomForFrame(in buffer: inout ByteBuffer, allocator: ByteBufferAllocator) {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return }
        let needed = KafkaFrame.sizePrefixBytes + Int(size)
        guard needed <= largestPreallocatedFrame else { return }
        // Room enough already (small frames, or a buffer made here before).
        guard needed > buffer.readableBytes + buffer.writableBytes else { return }
        var frame = allocator.buffer(capacity: needed)
        frame.writeImmutableBuffer(buffer)
        buffer = frame
    }

    package mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A partial frame left at EOF is dropped with the connection.
        return .needMoreData
    }
}

/// Writes encoded frames: byte parts as buffers, file parts with `sendfile` through NIO's
/// `FileRegion`, so fetched log segments are never copied into user space. The server and
/// the client both write with it.
package final class FramePartsWriter: ChannelOutboundHandler, Sendable {
    package typealias OutboundIn = [FramePart]
    package typealias OutboundOut = IOData

    /// Whether file regions are read into memory and written as bytes: under TLS, which
    /// must encrypt them, `sendfile` is impossible. Default false (sendfile).
    private let copyingFileRegions: Bool

    package init(copyingFileRegions: Bool = false) {
        self.copyingFileRegions = copyingFileRegions
    }

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let parts = unwrapOutboundIn(data)
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1 ? promise : nil
            switch part {
            case .bytes(let buffer):
                context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: last)
            case .file(let region) where copyingFileRegions:
                do {
                    context.write(wrapOutboundOut(.byteBuffer(try Self.read(region, allocator: context.channel.allocator))), promise: last)
                } catch {
                    last?.fail(error)
                    context.fireErrorCaught(error)
                }
            case .file(let region):
                write(region, context: context, promise: last)
            }
        }
        if parts.isEmpty { promise?.succeed() }
    }

    /// The region's bytes, read with `pread` (from the page cache, as a rule).
    private static func read(_ region: any WireFileRegion, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var buffer = allocator.buffer(capacity: region.byteCount)
        let count = region.byteCount
        let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            var done = 0
            while done < count {
                let n = pread(region.fileDescriptor, raw.baseAddress! + done, count - done, off_t(region.fileOffset) + off_t(done))
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            return done
        }
        guard read == count else { throw IOError(errnoCode: errno == 0 ? EIO : errno, reason: "pread of a log region for TLS") }
        return buffer
    }

    private func write(_ region: any WireFileRegion, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        // The descriptor stays owned by the region (the storage plugin's LogFileHandle),
        // which this closure keeps alive until the write finishes; the NIO handle only
        // borrows it.
        let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: region.fileDescriptor)
        let fileRegion = FileRegion(fileHandle: handle, readerIndex: Int(region.fileOffset),
                                    endIndex: Int(region.fileOffset) + region.byteCount)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { _ in
            _ = try? handle.takeDescriptorOwnership()
            withExtendedLifetime(region) {}
        }
        context.write(wrapOutboundOut(.fileRegion(fileRegion)), promise: written)
        if let promise { written.futureResult.cascade(to: promise) }
    }
}
