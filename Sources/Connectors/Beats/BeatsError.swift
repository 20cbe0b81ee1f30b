import SluiceKernel

/// Why a beats connection was closed: the client sent something the protocol or the
/// configured limits do not allow. Nothing of the window being received was
/// acknowledged, so a correct client resends it after reconnecting.
public enum BeatsProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The first byte of a frame was neither `'1'` nor `'2'`.
    case unsupportedVersion(UInt8)
    /// A frame type this server does not accept from clients.
    case unknownFrameType(version: UInt8, type: UInt8)
    /// A data frame arrived before any window frame announced it.
    case dataBeforeWindow(sequence: UInt32)
    /// A window announced more events than `maxWindowSize`.
    case windowTooLarge(size: UInt32, limit: Int)
    /// One event (JSON payload, or a v1 frame's pairs) is larger than `maxEventBytes`.
    case eventTooLarge(sequence: UInt32, size: Int, limit: Int)
    /// A compressed frame's payload is larger than `maxDecompressedBytes`.
    case compressedFrameTooLarge(size: Int, limit: Int)
    /// Inflating a compressed frame produced more than `maxDecompressedBytes` (a zip bomb).
    case decompressedTooLarge(limit: Int)
    /// The zlib stream is corrupt or ends early.
    case corruptCompressedFrame(String)
    /// The bytes inside a compressed frame end in the middle of a frame.
    case truncatedFrameInCompressedFrame(remaining: Int)
    /// Compressed frames nested deeper than `LumberjackDecoder.maxCompressionDepth`.
    case compressionNestedTooDeep(limit: Int)
    /// A v2 data frame whose payload is not a JSON object.
    case invalidJSON(sequence: UInt32, reason: String)

    public var description: String {
        switch self {
        case .unsupportedVersion(let byte):
            "frame version byte \(Self.show(byte)) is neither '1' nor '2'; this port speaks the Lumberjack (beats) protocol — is the client configured for another protocol or for TLS while the input is not?"
        case .unknownFrameType(let version, let type):
            "unknown frame type \(Self.show(type)) (version \(Self.show(version))); clients send window 'W', JSON 'J', data 'D' and compressed 'C' frames"
        case .dataBeforeWindow(let sequence):
            "data frame with sequence \(sequence) arrived before any window frame; the client must announce each window with a 'W' frame"
        case .windowTooLarge(let size, let limit):
            "window of \(size) events exceeds maxWindowSize \(limit); lower the client's batch size (Filebeat: output.logstash.bulk_max_size) or raise maxWindowSize"
        case .eventTooLarge(let sequence, let size, let limit):
            "event with sequence \(sequence) has \(size) bytes, over maxEventBytes \(limit); raise maxEventBytes (and broker.messageMaxBytes for Kafka consumers) or cap the event size at the shipper"
        case .compressedFrameTooLarge(let size, let limit):
            "compressed frame of \(size) bytes exceeds maxDecompressedBytes \(limit); send smaller windows or raise maxDecompressedBytes"
        case .decompressedTooLarge(let limit):
            "compressed frame inflates to more than maxDecompressedBytes \(limit) bytes (possible zip bomb); send smaller windows or raise maxDecompressedBytes"
        case .corruptCompressedFrame(let why):
            "compressed frame is not a valid zlib stream: \(why)"
        case .truncatedFrameInCompressedFrame(let remaining):
            "a compressed frame ends inside a frame (\(remaining) bytes left over); the client must compress whole frames"
        case .compressionNestedTooDeep(let limit):
            "compressed frames nested more than \(limit) deep"
        case .invalidJSON(let sequence, let reason):
            "event with sequence \(sequence) is not a JSON object: \(reason)"
        }
    }

    private static func show(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))' (0x\(String(byte, radix: 16, uppercase: true)))"
            : "0x\(String(byte, radix: 16, uppercase: true))"
    }
}

/// Why events could not be written; the window stays unacknowledged and the connection
/// is closed, so the client resends it.
public enum BeatsAppendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configured topic does not exist and the broker may not create it.
    case topicUnavailable(topic: String, reason: String)
    /// The broker refused the append (storage failure and the like).
    case appendFailed(TopicPartition, BrokerError)

    public var description: String {
        switch self {
        case .topicUnavailable(let topic, let reason):
            "cannot write to topic '\(topic)': \(reason); create the topic or set broker.autoCreateTopics to true"
        case .appendFailed(let tp, let error):
            "appending to \(tp) failed: \(error); the window was not acknowledged and the client will resend it"
        }
    }
}

/// Why the beats input could not start.
public enum BeatsInputError: Error, Sendable, CustomStringConvertible {
    /// The listen address could not be bound (in use, not local, no permission).
    case bindFailed(address: String, reason: String)
    /// The TLS certificate or key could not be loaded.
    case tlsSetupFailed(String)
    /// The bound address could not be written to `portFile`.
    case portFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .bindFailed(let address, let reason):
            "cannot listen on \(address): \(reason); choose a free port in config.listen (Logstash's beats input also defaults to 5044)"
        case .tlsSetupFailed(let why):
            "TLS setup failed: \(why)"
        case .portFile(let path, let reason):
            "cannot write the bound address to portFile \(path): \(reason); name a file in a writable directory or remove the key"
        }
    }
}
