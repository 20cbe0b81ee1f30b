/// Why bytes could not be decoded as a Kafka message (or a frame).
///
/// Decoding errors name the field they happened in (`MetadataRequest.Topics.Name`) so a
/// log line says which part of a client's request was malformed.
public indirect enum KafkaCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message ended before a field did.
    case truncated(needed: Int, available: Int)
    /// A length or count that is negative (other than the null marker) or larger than the
    /// bytes left in the message.
    case invalidLength(Int64)
    /// An unsigned varint longer than its type allows.
    case invalidVarint
    /// A null where the message version does not allow one.
    case unexpectedNull
    /// A frame whose size prefix is negative or larger than the configured maximum.
    case frameTooLarge(size: Int64, limit: Int)
    /// A frame too short to hold a request header.
    case frameTooSmall(size: Int)
    /// An API key this side does not know.
    case unknownApiKey(Int16)
    /// A version of a known API that this side does not accept.
    case unsupportedVersion(api: ApiKey, version: Int16)
    /// A response whose correlation id does not match the request it answers.
    case correlationMismatch(expected: Int32, received: Int32)
    /// An error inside the named field.
    case inField(String, KafkaCodecError)

    /// The innermost error, without field names.
    public var root: KafkaCodecError {
        if case .inField(_, let inner) = self { return inner.root }
        return self
    }

    /// The dotted path of fields the error happened in.
    public var fieldPath: [String] {
        if case .inField(let name, let inner) = self { return [name] + inner.fieldPath }
        return []
    }

    public var description: String {
        switch self {
        case .truncated(let needed, let available):
            return "message truncated: needs \(needed) more bytes, \(available) left"
        case .invalidLength(let length):
            return "invalid length or count \(length)"
        case .invalidVarint:
            return "unsigned varint longer than 5 bytes"
        case .unexpectedNull:
            return "null is not allowed here in this version"
        case .frameTooLarge(let size, let limit):
            let hint = size == 1_195_725_856 || size == 1_347_375_956 ? " (the bytes \"GET \" or \"POST\": an HTTP request sent to the Kafka port?)" : ""
            return "frame size \(size) is outside 0...\(limit) (socketRequestMaxBytes)\(hint)"
        case .frameTooSmall(let size):
            return "frame of \(size) bytes is too small to hold a request header"
        case .unknownApiKey(let key):
            return "unknown api key \(key)"
        case .unsupportedVersion(let api, let version):
            return "\(api) version \(version) is not supported"
        case .correlationMismatch(let expected, let received):
            return "response correlation id \(received) does not match the request's \(expected)"
        case .inField:
            return "\(fieldPath.joined(separator: ".")): \(root.description)"
        }
    }
}
