import NIOCore
import SluiceCompression

/// Writes client frames: what Filebeat sends, for the benchmark, tests and any future
/// beats output. The counterpart of `LumberjackParser`.
public struct LumberjackEncoder: Sendable {
    public init() {}

    /// A window frame announcing `size` events.
    public func window(_ size: UInt32, version: UInt8 = Lumberjack.version2, into buffer: inout ByteBuffer) {
        buffer.writeInteger(version)
        buffer.writeInteger(Lumberjack.FrameType.window)
        buffer.writeInteger(size)
    }

    /// A v2 JSON data frame.
    public func json(sequence: UInt32, _ payload: ByteBuffer, into buffer: inout ByteBuffer) {
        buffer.writeInteger(Lumberjack.version2)
        buffer.writeInteger(Lumberjack.FrameType.json)
        buffer.writeInteger(sequence)
        buffer.writeInteger(UInt32(payload.readableBytes))
        var payload = payload
        buffer.writeBuffer(&payload)
    }

    /// A v1 key/value data frame.
    public func data(sequence: UInt32, _ pairs: [(String, String)], into buffer: inout ByteBuffer) {
        buffer.writeInteger(Lumberjack.version1)
        buffer.writeInteger(Lumberjack.FrameType.data)
        buffer.writeInteger(sequence)
        buffer.writeInteger(UInt32(pairs.count))
        for (key, value) in pairs {
            buffer.writeInteger(UInt32(key.utf8.count))
            buffer.writeString(key)
            buffer.writeInteger(UInt32(value.utf8.count))
            buffer.writeString(value)
        }
    }

    /// A compressed frame holding `frames` (whole frames) deflated at `level`.
    public func compressed(_ frames: ByteBuffer, level: Int32 = 3, version: UInt8 = Lumberjack.version2,
                           into buffer: inout ByteBuffer) {
        var payload = Zlib.deflate(frames, framing: .zlib, level: level)
        buffer.writeInteger(version)
        buffer.writeInteger(Lumberjack.FrameType.compressed)
        buffer.writeInteger(UInt32(payload.readableBytes))
        buffer.writeBuffer(&payload)
    }

    /// A whole window as Filebeat sends it: the window frame, then the events with
    /// sequences `firstSequence...`, compressed into one frame unless `level` is nil.
    public func window(events: [ByteBuffer], firstSequence: UInt32 = 1, compressionLevel level: Int32? = 3,
                       into buffer: inout ByteBuffer) {
        window(UInt32(events.count), into: &buffer)
        var frames = ByteBufferAllocator().buffer(capacity: events.reduce(0) { $0 + $1.readableBytes + 10 })
        for (offset, event) in events.enumerated() {
            json(sequence: firstSequence &+ UInt32(offset), event, into: &frames)
        }
        if let level {
            compressed(frames, level: level, into: &buffer)
        } else {
            buffer.writeBuffer(&frames)
        }
    }
}
