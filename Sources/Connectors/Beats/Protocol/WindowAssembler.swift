import NIOCore
import SluiceCompression

/// Turns the frames of one connection into window chunks: it opens windows, inflates
/// compressed frames and reads the frames inside them, checks and scans each event, and
/// cuts chunks at window ends or every `chunkBytes`. No I/O: the channel handler feeds it
/// bytes, tests feed it too.
public struct WindowAssembler: Sendable {
    /// Compressed frames may contain compressed frames this many levels deep.
    public static let maxCompressionDepth = 2

    public let parser: LumberjackParser
    public let scanner: EventScanner
    /// A chunk is cut once its events hold this many bytes. Default 1 MiB.
    public let chunkBytes: Int

    private struct OpenWindow {
        var version: UInt8
        var expected: UInt32
        var received: UInt32 = 0
        var lastSequence: UInt32 = 0
    }

    private var window: OpenWindow?
    private var pending: WindowChunk?

    public init(parser: LumberjackParser, scanner: EventScanner, chunkBytes: Int = 1 << 20) {
        self.parser = parser
        self.scanner = scanner
        self.chunkBytes = chunkBytes
    }

    /// True while a window has been announced and not all of its events have arrived.
    public var isInsideWindow: Bool { window != nil }

    /// Consumes every whole frame at the front of `buffer`, calling `emit` with each chunk
    /// that is complete. A partial frame stays in `buffer`.
    ///
    /// - Parameter arrival: the timestamp for events without a valid `@timestamp`,
    ///   in milliseconds since the epoch.
    public mutating func consume(_ buffer: inout ByteBuffer, arrival: Int64,
                                 emit: (WindowChunk) -> Void) throws(BeatsProtocolError) {
        while let frame = try parser.parse(&buffer) {
            var inflateBudget = parser.limits.maxDecompressedBytes
            try handle(frame, depth: 0, inflateBudget: &inflateBudget, arrival: arrival, emit: emit)
        }
    }

    private mutating func handle(_ frame: LumberjackFrame, depth: Int, inflateBudget: inout Int, arrival: Int64,
                                 emit: (WindowChunk) -> Void) throws(BeatsProtocolError) {
        switch frame {
        case .window(let version, let size):
            if let open = window, open.received > 0 {
                // A new window before the last one was complete: Logstash treats the
                // events so far as the whole window, and so does this server.
                finishWindow(emit: emit)
            }
            window = size == 0 ? nil : OpenWindow(version: version, expected: size)
            pending = nil

        case .json(let sequence, let payload):
            let fields = try scanner.scan(payload, sequence: sequence)
            try add(BeatsEvent(sequence: sequence, value: payload, timestamp: fields.timestamp ?? arrival,
                               key: fields.key, topic: fields.topic), emit: emit)

        case .data(let sequence, let pairs):
            let payload = V1Event.json(pairs)
            let fields = try scanner.scan(payload, sequence: sequence)
            try add(BeatsEvent(sequence: sequence, value: payload, timestamp: fields.timestamp ?? arrival,
                               key: fields.key, topic: fields.topic), emit: emit)

        case .compressed(_, let payload):
            guard depth < Self.maxCompressionDepth else { throw .compressionNestedTooDeep(limit: Self.maxCompressionDepth) }
            var inflated: ByteBuffer
            do throws(Zlib.Failure) {
                inflated = try Zlib.inflate(payload, framing: .zlib, limit: inflateBudget)
            } catch {
                switch error {
                case .tooLarge(let limit): throw .decompressedTooLarge(limit: limit)
                case .corrupt(let reason): throw .corruptCompressedFrame(reason)
                }
            }
            inflateBudget -= inflated.readableBytes
            while inflated.readableBytes > 0 {
                guard let inner = try parser.parse(&inflated) else {
                    throw .truncatedFrameInCompressedFrame(remaining: inflated.readableBytes)
                }
                try handle(inner, depth: depth + 1, inflateBudget: &inflateBudget, arrival: arrival, emit: emit)
            }
        }
    }

    private mutating func add(_ event: BeatsEvent, emit: (WindowChunk) -> Void) throws(BeatsProtocolError) {
        guard var open = window else { throw .dataBeforeWindow(sequence: event.sequence) }
        if pending == nil {
            pending = WindowChunk(version: open.version, startsWindow: open.received == 0)
            pending!.events.reserveCapacity(Int(min(open.expected - open.received, 4096)))
        }
        // Mutated in place: a copy of the chunk here would copy its event array per event.
        pending!.byteCount += event.value.readableBytes
        pending!.events.append(event)
        open.received += 1
        open.lastSequence = event.sequence
        window = open
        if open.received == open.expected {
            finishWindow(emit: emit)
        } else if pending!.byteCount >= chunkBytes {
            let chunk = pending!
            pending = nil
            emit(chunk)
        }
    }

    /// Emits the window's last chunk (possibly empty of events, when the previous chunk
    /// ended exactly at a size cut) and closes the window.
    private mutating func finishWindow(emit: (WindowChunk) -> Void) {
        guard let open = window else { return }
        var chunk = pending ?? WindowChunk(version: open.version, startsWindow: false)
        window = nil
        pending = nil
        chunk.completesWindow = true
        chunk.ackSequence = open.lastSequence
        emit(chunk)
    }
}
