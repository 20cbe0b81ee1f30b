/// A request message: its API key, the versions the Kafka 3.9 specs declare for it,
/// which of them are flexible, and the response message it is answered with.
///
/// A new API is one type conforming to this (plus its response and nested structs) in
/// `Messages/` (listed in `DeclaredRequests`), and one handler registered in the Kafka
/// plugin's `ApiRoutes`.
public protocol KafkaRequest: KafkaStruct {
    associatedtype Response: KafkaStruct
    static var apiKey: ApiKey { get }
    /// Every version the specs declare (`"validVersions"`).
    static var validVersions: Versions { get }
    /// Versions using compact encodings and tagged fields (`"flexibleVersions"`).
    static var flexibleVersions: Versions { get }
}

extension KafkaRequest {
    /// Whether `version` uses compact encodings and tagged fields.
    public static func isFlexible(_ version: Int16) -> Bool { flexibleVersions.contains(version) }

    /// Request header v2 for flexible versions, v1 otherwise — except ControlledShutdown
    /// v0, whose header is v0 (no client id), as its spec says.
    public static func requestHeaderVersion(_ version: Int16) -> Int16 {
        if apiKey == .controlledShutdown && version == 0 { return 0 }
        return isFlexible(version) ? 2 : 1
    }

    /// Response header v1 for flexible versions, v0 otherwise — except ApiVersions, whose
    /// response always has header v0 so a client can read it before it knows which
    /// versions the broker speaks.
    public static func responseHeaderVersion(_ version: Int16) -> Int16 {
        apiKey == .apiVersions ? 0 : (isFlexible(version) ? 1 : 0)
    }
}

/// The header in front of every request body.
public struct RequestHeader: Sendable, Equatable {
    /// Which API the body is.
    public var apiKey: ApiKey
    /// The version the body is encoded in (and the response will be).
    public var apiVersion: Int16
    /// Echoed in the response so the client can match it to the request.
    public var correlationId: Int32
    /// The client's self-chosen id (librdkafka's `client.id`); nil when the client sent null.
    public var clientId: String?

    public init(apiKey: ApiKey, apiVersion: Int16, correlationId: Int32, clientId: String?) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = clientId
    }

    /// Reads the part of the header every version shares (key, version, correlation id),
    /// so a server can answer or log a request it cannot parse further.
    public static func decodePrefix(from reader: inout WireReader) throws(KafkaCodecError) -> RequestHeader {
        let key = ApiKey(rawValue: try reader.integer(Int16.self))
        let version = try reader.integer(Int16.self)
        let correlation = try reader.integer(Int32.self)
        return RequestHeader(apiKey: key, apiVersion: version, correlationId: correlation, clientId: nil)
    }

    /// Reads the rest of header v1/v2 after `decodePrefix`. The client id is a classic
    /// (non-compact) nullable string even in header v2.
    public mutating func decodeRest(from reader: inout WireReader, headerVersion: Int16) throws(KafkaCodecError) {
        guard headerVersion >= 1 else { return }
        clientId = try reader.string(flexible: false)
        if headerVersion >= 2 { try skipTaggedFields(&reader) }
    }

    public func encode(to writer: inout WireWriter, headerVersion: Int16) {
        writer.integer(apiKey.rawValue)
        writer.integer(apiVersion)
        writer.integer(correlationId)
        guard headerVersion >= 1 else { return }
        writer.string(clientId, flexible: false)
        if headerVersion >= 2 { writer.unsignedVarint(0) }
    }
}

/// The header in front of every response body: the correlation id (and, in v1, an empty
/// tagged-field section).
public struct ResponseHeader: Sendable, Equatable {
    /// The correlation id of the request this answers.
    public var correlationId: Int32

    public init(correlationId: Int32) { self.correlationId = correlationId }

    public static func decode(from reader: inout WireReader, headerVersion: Int16) throws(KafkaCodecError) -> ResponseHeader {
        let header = ResponseHeader(correlationId: try reader.integer(Int32.self))
        if headerVersion >= 1 { try skipTaggedFields(&reader) }
        return header
    }

    public func encode(to writer: inout WireWriter, headerVersion: Int16) {
        writer.integer(correlationId)
        if headerVersion >= 1 { writer.unsignedVarint(0) }
    }
}
