import NIOCore

/// Limits the parser enforces as soon as a frame's header says how large it is, before
/// its payload is buffered.
public struct LumberjackLimits: Sendable, Equatable {
    /// Most events a window may announce. Default 65536.
    public var maxWindowSize: Int
    /// Most bytes of one event: a JSON payload, or the key and value bytes of a v1
    /// frame. Default 1048576 (1 MiB).
    public var maxEventBytes: Int
    /// Most bytes a compressed frame may hold, compressed or inflated. Default 67108864 (64 MiB).
    public var maxDecompressedBytes: Int

    public init(maxWindowSize: Int = 65_536, maxEventBytes: Int = 1 << 20, maxDecompressedBytes: Int = 64 << 20) {
        self.maxWindowSize = maxWindowSize
        self.maxEventBytes = maxEventBytes
        self.maxDecompressedBytes = maxDecompressedBytes
    }
}

/// Splits bytes into Lumberjack frames, with no I/O: the server's channel handler, the
/// tests and the benchmark drive the same code.
public struct LumberjackParser: Sendable {
    public var limits: LumberjackLimits

    public init(limits: LumberjackLimits = LumberjackLimits()) {
        self.limits = limits
    }

    /// Reads one frame from the front of `buffer`.
    ///
    /// - Returns: the frame, with `buffer` advanced past it; nil when `buffer` does not
    ///   yet hold the whole frame (nothing is consumed).
    /// - Throws: when the bytes cannot start a valid frame, or a frame's size is over a
    ///   limit. The error is final for the connection.
    public func parse(_ buffer: inout ByteBuffer) throws(BeatsProtocolError) -> LumberjackFrame? {
        let start = buffer.readerIndex
        guard let version: UInt8 = buffer.getInteger(at: start) else { return nil }
        guard version == Lumberjack.version1 || version == Lumberjack.version2 else {
            throw .unsupportedVersion(version)
        }
        guard let type: UInt8 = buffer.getInteger(at: start + 1) else { return nil }
        switch type {
        case Lumberjack.FrameType.window:
            guard let size: UInt32 = buffer.getInteger(at: start + 2) else { return nil }
            guard Int(size) <= limits.maxWindowSize else { throw .windowTooLarge(size: size, limit: limits.maxWindowSize) }
            buffer.moveReaderIndex(forwardBy: 6)
            return .window(version: version, size: size)

        case Lumberjack.FrameType.json:
            guard let sequence: UInt32 = buffer.getInteger(at: start + 2),
                  let length: UInt32 = buffer.getInteger(at: start + 6) else { return nil }
            guard Int(length) <= limits.maxEventBytes else {
                throw .eventTooLarge(sequence: sequence, size: Int(length), limit: limits.maxEventBytes)
            }
            guard let payload = buffer.getSlice(at: start + 10, length: Int(length)) else { return nil }
            buffer.moveReaderIndex(forwardBy: 10 + Int(length))
            return .json(sequence: sequence, payload: payload)

        case Lumberjack.FrameType.compressed:
            guard let length: UInt32 = buffer.getInteger(at: start + 2) else { return nil }
            guard Int(length) <= limits.maxDecompressedBytes else {
                throw .compressedFrameTooLarge(size: Int(length), limit: limits.maxDecompressedBytes)
            }
            guard let payload = buffer.getSlice(at: start + 6, length: Int(length)) else { return nil }
            buffer.moveReaderIndex(forwardBy: 6 + Int(length))
            return .compressed(version: version, payload: payload)

        case Lumberjack.FrameType.data:
            return try parseData(&buffer, start: start)

        default:
            throw .unknownFrameType(version: version, type: type)
        }
    }

    /// Bytes the frame at the front of `buffer` occupies in all, as far as the bytes
    /// present tell: its whole length once its header is there, else the length of the
    /// header still to come; nil for a v1 key/value frame (its length is known only by
    /// walking its pairs) and for bytes that cannot start a frame (`parse` says why).
    /// Lets a reader gather exactly one frame's bytes before parsing it.
    public func frameBytesNeeded(_ buffer: ByteBuffer) -> Int? {
        let start = buffer.readerIndex
        guard let type: UInt8 = buffer.getInteger(at: start + 1) else { return 2 }
        switch type {
        case Lumberjack.FrameType.window:
            return 6
        case Lumberjack.FrameType.json:
            guard let length: UInt32 = buffer.getInteger(at: start + 6) else { return 10 }
            return 10 + Int(length)
        case Lumberjack.FrameType.compressed:
            guard let length: UInt32 = buffer.getInteger(at: start + 2) else { return 6 }
            return 6 + Int(length)
        default:
            return nil
        }
    }

    /// A v1 key/value frame: its size is known only by walking the pair lengths, each
    /// checked against the event limit before any payload is waited for.
    private func parseData(_ buffer: inout ByteBuffer, start: Int) throws(BeatsProtocolError) -> LumberjackFrame? {
        guard let sequence: UInt32 = buffer.getInteger(at: start + 2),
              let count: UInt32 = buffer.getInteger(at: start + 6) else { return nil }
        // Every pair costs at least its two 4-byte lengths.
        guard Int(count) <= limits.maxEventBytes / 8 else {
            throw .eventTooLarge(sequence: sequence, size: Int(count) * 8, limit: limits.maxEventBytes)
        }
        var position = start + 10
        var eventBytes = 0
        var ranges: [(key: Range<Int>, value: Range<Int>)] = []
        ranges.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let keyLength: UInt32 = buffer.getInteger(at: position) else { return nil }
            let keyStart = position + 4
            eventBytes += 8 + Int(keyLength)
            guard eventBytes <= limits.maxEventBytes else {
                throw .eventTooLarge(sequence: sequence, size: eventBytes, limit: limits.maxEventBytes)
            }
            guard let valueLength: UInt32 = buffer.getInteger(at: keyStart + Int(keyLength)) else { return nil }
            let valueStart = keyStart + Int(keyLength) + 4
            eventBytes += Int(valueLength)
            guard eventBytes <= limits.maxEventBytes else {
                throw .eventTooLarge(sequence: sequence, size: eventBytes, limit: limits.maxEventBytes)
            }
            ranges.append((keyStart..<keyStart + Int(keyLength), valueStart..<valueStart + Int(valueLength)))
            position = valueStart + Int(valueLength)
        }
        guard position <= buffer.writerIndex else { return nil }
        let pairs = ranges.map { range in
            LumberjackPair(key: buffer.getSlice(at: range.key.lowerBound, length: range.key.count)!,
                           value: buffer.getSlice(at: range.value.lowerBound, length: range.value.count)!)
        }
        buffer.moveReaderIndex(to: position)
        return .data(sequence: sequence, pairs: pairs)
    }
}
