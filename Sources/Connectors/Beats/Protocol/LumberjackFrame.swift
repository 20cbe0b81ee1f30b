import NIOCore

/// The Lumberjack ("beats") wire protocol as Filebeat, Logstash and pylogbeat speak it.
///
/// Every frame starts with a version byte (`'1'` or `'2'`) and a type byte; integers are
/// big-endian `u32`:
///
/// | frame | layout after the two header bytes |
/// | --- | --- |
/// | window `W` | event count |
/// | JSON data `J` (v2) | sequence, payload length, JSON payload |
/// | key/value data `D` (v1) | sequence, pair count, then per pair: key length, key, value length, value |
/// | compressed `C` | payload length, zlib stream holding further frames |
/// | ack `A` (server → client) | highest sequence persisted (0 = keepalive) |
public enum Lumberjack {
    /// Version byte `'1'`: key/value data frames.
    public static let version1: UInt8 = 0x31
    /// Version byte `'2'`: JSON data frames.
    public static let version2: UInt8 = 0x32

    /// Frame type bytes.
    public enum FrameType {
        public static let window: UInt8 = 0x57      // 'W'
        public static let json: UInt8 = 0x4A        // 'J'
        public static let data: UInt8 = 0x44        // 'D'
        public static let compressed: UInt8 = 0x43  // 'C'
        public static let ack: UInt8 = 0x41         // 'A'
    }

    /// Bytes of an ack frame.
    public static let ackFrameSize = 6

    /// Encodes an ack frame: version, `'A'`, sequence.
    public static func writeAck(version: UInt8, sequence: UInt32, to buffer: inout ByteBuffer) {
        buffer.writeInteger(version)
        buffer.writeInteger(FrameType.ack)
        buffer.writeInteger(sequence)
    }
}

/// One key/value pair of a v1 data frame, as the bytes that arrived.
public struct LumberjackPair: Sendable, Equatable {
    public var key: ByteBuffer
    public var value: ByteBuffer

    public init(key: ByteBuffer, value: ByteBuffer) {
        self.key = key
        self.value = value
    }
}

/// A decoded client frame. Payloads are slices of the received bytes (no copy).
public enum LumberjackFrame: Sendable, Equatable {
    /// The number of data frames that follow (across compressed frames).
    case window(version: UInt8, size: UInt32)
    /// A v2 event: the JSON document exactly as sent.
    case json(sequence: UInt32, payload: ByteBuffer)
    /// A v1 event: key/value pairs.
    case data(sequence: UInt32, pairs: [LumberjackPair])
    /// A zlib stream holding further frames.
    case compressed(version: UInt8, payload: ByteBuffer)
}

/// What the server sends: a window's ack, or a keepalive while a window is written.
public enum BeatsAck: Sendable, Equatable {
    /// The highest sequence of a window whose events are all appended.
    case window(version: UInt8, sequence: UInt32)
    /// Sequence 0: "still working", which resets the client's ack timeout.
    case keepalive(version: UInt8)

    /// The sequence number on the wire.
    public var sequence: UInt32 {
        switch self {
        case .window(_, let sequence): sequence
        case .keepalive: 0
        }
    }

    /// The version byte on the wire (that of the window being acknowledged).
    public var version: UInt8 {
        switch self {
        case .window(let version, _), .keepalive(let version): version
        }
    }
}
