// SaslHandshake (key 17), from Kafka 3.9's SaslHandshakeRequest/Response specs.

/// Names the SASL mechanism the client wants. After v0 the client sends raw SASL tokens,
/// each with a 4-byte size and no Kafka header; after v1 it wraps them in SaslAuthenticate.
public struct SaslHandshakeRequest: KafkaRequest {
    public typealias Response = SaslHandshakeResponse
    public static let apiKey = ApiKey.saslHandshake
    public static let validVersions: Versions = "0-1"
    public static let flexibleVersions: Versions = .none

    /// e.g. "PLAIN", "SCRAM-SHA-512".
    public var mechanism = ""

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Mechanism", \.mechanism, .string, versions: "0+"),
    ]
}

public struct SaslHandshakeResponse: KafkaStruct {
    /// UNSUPPORTED_SASL_MECHANISM (33) when the mechanism is not enabled on the listener,
    /// ILLEGAL_SASL_STATE (34) when a handshake is not expected now.
    public var errorCode: Int16 = 0
    /// The mechanisms the listener enables.
    public var mechanisms: [String] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("Mechanisms", \.mechanisms, .array(.string), versions: "0+"),
    ]
}
