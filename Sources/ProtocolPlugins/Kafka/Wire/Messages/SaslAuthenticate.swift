// SaslAuthenticate (key 36), from Kafka 3.9's SaslAuthenticateRequest/Response specs.

import NIOCore

/// One SASL token from the client, after a v1 SaslHandshake.
public struct SaslAuthenticateRequest: KafkaRequest {
    public typealias Response = SaslAuthenticateResponse
    public static let apiKey = ApiKey.saslAuthenticate
    public static let validVersions: Versions = "0-2"
    public static let flexibleVersions: Versions = "2+"

    /// The mechanism's bytes (PLAIN's message, a SCRAM client-first or client-final).
    public var authBytes = ByteBuffer()

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("AuthBytes", \.authBytes, .bytes, versions: "0+"),
    ]
}

public struct SaslAuthenticateResponse: KafkaStruct {
    /// SASL_AUTHENTICATION_FAILED (58) when the credentials are wrong.
    public var errorCode: Int16 = 0
    public var errorMessage: String?
    /// The server's token (SCRAM server-first, server-final), empty for PLAIN.
    public var authBytes = ByteBuffer()
    /// How long the session lasts before the client must re-authenticate (KIP-368), in
    /// milliseconds; 0 = no limit (v1+).
    public var sessionLifetimeMs: Int64 = 0

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        Field("AuthBytes", \.authBytes, .bytes, versions: "0+"),
        Field("SessionLifetimeMs", \.sessionLifetimeMs, .int64, versions: "1+"),
    ]
}
