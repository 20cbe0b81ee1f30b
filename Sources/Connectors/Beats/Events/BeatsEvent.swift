import NIOCore

/// One event as received, ready to become a record.
public struct BeatsEvent: Sendable, Equatable {
    /// The client's sequence number for the event.
    public var sequence: UInt32
    /// The record value: the JSON document exactly as sent (v2), or the JSON object a
    /// v1 frame's pairs became.
    public var value: ByteBuffer
    /// Record timestamp in milliseconds since the epoch: a valid `@timestamp`, else the
    /// time the bytes arrived.
    public var timestamp: Int64
    /// The record key (`keyField`'s value), or nil.
    public var key: [UInt8]?
    /// The topic named by `topicField`, or nil for the configured topic.
    public var topic: String?

    public init(sequence: UInt32, value: ByteBuffer, timestamp: Int64, key: [UInt8]? = nil, topic: String? = nil) {
        self.sequence = sequence
        self.value = value
        self.timestamp = timestamp
        self.key = key
        self.topic = topic
    }
}

/// Consecutive events of one window, the unit the connection appends. A large window
/// arrives as several chunks so memory stays bounded; only the chunk that completes the
/// window is acknowledged, after every chunk before it was appended.
public struct WindowChunk: Sendable, Equatable {
    /// The window's protocol version (`'1'` or `'2'`); acks carry the same.
    public var version: UInt8
    public var events: [BeatsEvent] = []
    /// True for the first chunk of a window.
    public var startsWindow: Bool
    /// True for the last chunk of a window: its ack is due once it is appended.
    public var completesWindow = false
    /// Bytes of event values in the chunk.
    public var byteCount = 0
    /// The sequence to acknowledge once the chunk is appended, set on the chunk that
    /// completes the window: the window's last event's sequence.
    public var ackSequence: UInt32 = 0

    public init(version: UInt8, startsWindow: Bool) {
        self.version = version
        self.startsWindow = startsWindow
    }
}

/// Turns a v1 frame's key/value pairs into a JSON object of strings, in the order sent;
/// a repeated key keeps its last value, as Logstash's map does.
enum V1Event {
    static func json(_ pairs: [LumberjackPair]) -> ByteBuffer {
        var unique: [LumberjackPair] = []
        var positions: [ByteBuffer: Int] = [:]
        unique.reserveCapacity(pairs.count)
        for pair in pairs {
            if let index = positions[pair.key] {
                unique[index].value = pair.value
            } else {
                positions[pair.key] = unique.count
                unique.append(pair)
            }
        }
        var out: [UInt8] = [0x7B]
        out.reserveCapacity(unique.reduce(2) { $0 + $1.key.readableBytes + $1.value.readableBytes + 6 })
        for (index, pair) in unique.enumerated() {
            if index > 0 { out.append(0x2C) }
            JSONString.appendQuoted(pair.key.readableBytesView, to: &out)
            out.append(0x3A)
            JSONString.appendQuoted(pair.value.readableBytesView, to: &out)
        }
        out.append(0x7D)
        return ByteBuffer(bytes: out)
    }
}
