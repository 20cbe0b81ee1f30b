import SluiceKernel

/// A Kafka listener's `sasl` section: when present, a connection must authenticate with
/// one of `mechanisms` before any request other than ApiVersions, SaslHandshake and
/// SaslAuthenticate; any other request before then closes the connection.
public struct KafkaSaslConfiguration: Codable, Equatable, Sendable {
    /// The mechanisms offered: any of "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512". Required.
    public var mechanisms: [String] = []
    /// Milliseconds a failed authentication waits before its SASL_AUTHENTICATION_FAILED
    /// answer and the close, to slow password guessing. Default 100, as Kafka's
    /// `connection.failed.authentication.delay.ms`.
    public var failedAuthenticationDelayMs: Int64 = 100
    /// Milliseconds an authentication holds (KIP-368, Kafka's `connections.max.reauth.ms`):
    /// the client is told, must re-authenticate before then, and a connection that sends a
    /// request after it expired is closed. Default 0: sessions do not expire.
    public var sessionLifetimeMs: Int64 = 0
    /// Largest frame accepted before authentication, in bytes; a larger one closes the
    /// connection. Default 524288, as Kafka's `sasl.server.max.receive.size`.
    public var maxReceiveBytes = 524_288

    public init(mechanisms: [String] = []) { self.mechanisms = mechanisms }

    /// The mechanism names Sluice implements.
    public static let knownMechanisms = ["PLAIN"] + ScramMechanism.allCases.map(\.rawValue)

    enum CodingKeys: String, CodingKey {
        case mechanisms, failedAuthenticationDelayMs, sessionLifetimeMs, maxReceiveBytes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = KafkaSaslConfiguration()
        mechanisms = try c.decode([String].self, forKey: .mechanisms)
        failedAuthenticationDelayMs = try c.decodeIfPresent(Int64.self, forKey: .failedAuthenticationDelayMs) ?? d.failedAuthenticationDelayMs
        sessionLifetimeMs = try c.decodeIfPresent(Int64.self, forKey: .sessionLifetimeMs) ?? d.sessionLifetimeMs
        maxReceiveBytes = try c.decodeIfPresent(Int.self, forKey: .maxReceiveBytes) ?? d.maxReceiveBytes
    }

    /// Problems with this section of a listener bound to `listenHost` (key paths under "sasl").
    func validate(listenHost: String?) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if mechanisms.isEmpty {
            problems.append(.init(keyPath: "sasl.mechanisms", "must name at least one of \(Self.knownMechanisms.joined(separator: ", ")); remove the sasl section for a listener without authentication"))
        }
        for (index, name) in mechanisms.enumerated() where !Self.knownMechanisms.contains(name) {
            problems.append(.init(keyPath: "sasl.mechanisms[\(index)]", "unknown mechanism \"\(name)\"; use one of \(Self.knownMechanisms.joined(separator: ", "))"))
        }
        if Set(mechanisms).count != mechanisms.count {
            problems.append(.init(keyPath: "sasl.mechanisms", "names a mechanism twice"))
        }
        if mechanisms.contains("PLAIN"), let host = listenHost, !HostPort.isLoopback(host: host) {
            problems.append(.init(keyPath: "sasl.mechanisms", "PLAIN sends passwords in clear text and this listener is not TLS and listens on \(host), off loopback; use SCRAM-SHA-512, or listen on 127.0.0.1"))
        }
        if !(0...300_000).contains(failedAuthenticationDelayMs) {
            problems.append(.init(keyPath: "sasl.failedAuthenticationDelayMs", "must be between 0 and 300000 ms, got \(failedAuthenticationDelayMs)"))
        }
        if sessionLifetimeMs != 0 && !(1000...Int64(Int32.max)).contains(sessionLifetimeMs) {
            problems.append(.init(keyPath: "sasl.sessionLifetimeMs", "must be 0 (no expiry) or between 1000 and 2147483647 ms, got \(sessionLifetimeMs)"))
        }
        if !(1024...104_857_600).contains(maxReceiveBytes) {
            problems.append(.init(keyPath: "sasl.maxReceiveBytes", "must be between 1024 and 104857600 bytes, got \(maxReceiveBytes)"))
        }
        return problems
    }
}
