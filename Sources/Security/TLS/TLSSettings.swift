import Foundation
import SluiceKernel

/// TLS on a listener: the `tls` object of a `kafka` protocol instance or of the beats
/// input. With it the listener speaks TLS only (Kafka's SSL and SASL_SSL listeners).
///
/// ```json
/// "tls": { "certificatePath": "server.pem", "keyPath": "server.key",
///          "caPath": "ca.pem", "clientAuth": "required" }
/// ```
/// Paths are relative to the directory `sluice serve` runs in.
public struct TLSSettings: Codable, Equatable, Sendable {
    /// Whether clients present certificates (Kafka's `ssl.client.auth`).
    public enum ClientAuth: String, Codable, Sendable, CaseIterable {
        /// Clients are not asked for a certificate. The default.
        case none
        /// Clients are asked; one that presents a certificate must pass verification
        /// against `caPath`, one that presents none is still served (as `User:ANONYMOUS`
        /// unless it authenticates otherwise).
        case requested
        /// Clients must present a certificate that verifies against `caPath`.
        case required
    }

    /// PEM certificate chain the listener presents, leaf first.
    public var certificatePath: String
    /// PEM private key of the leaf certificate (PKCS#8, PKCS#1 RSA or SEC1 EC), unencrypted.
    public var keyPath: String
    /// PEM certificates that client certificates must chain to. Required unless
    /// `clientAuth` is `none`. Default none.
    public var caPath: String?
    /// Default `none`.
    public var clientAuth: ClientAuth

    public init(certificatePath: String, keyPath: String, caPath: String? = nil, clientAuth: ClientAuth = .none) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.caPath = caPath
        self.clientAuth = clientAuth
    }

    enum CodingKeys: String, CodingKey { case certificatePath, keyPath, caPath, clientAuth }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        certificatePath = try c.decode(String.self, forKey: .certificatePath)
        keyPath = try c.decode(String.self, forKey: .keyPath)
        caPath = try c.decodeIfPresent(String.self, forKey: .caPath)
        if let name = try c.decodeIfPresent(String.self, forKey: .clientAuth) {
            guard let auth = ClientAuth(rawValue: name) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .clientAuth, in: c,
                    debugDescription: "'\(name)' is not a client authentication mode; use none, requested or required")
            }
            clientAuth = auth
        } else {
            clientAuth = .none
        }
    }

    /// The keys, for `sluice plugins describe`, under `prefix` (e.g. "tls.").
    public static func keys(prefix: String) -> [ConfigKeyDoc] {
        [
            .init(prefix + "certificatePath", "path", default: "required with tls", "PEM certificate chain the listener presents, leaf first"),
            .init(prefix + "keyPath", "path", default: "required with tls", "PEM private key of that certificate, unencrypted"),
            .init(prefix + "caPath", "path", default: "none", "PEM certificates client certificates must chain to"),
            .init(prefix + "clientAuth", "none | requested | required", default: "none",
                  "whether clients present certificates (Kafka's ssl.client.auth); the certificate's subject becomes the principal"),
        ]
    }

    /// What is wrong with the settings, under `prefix` (e.g. "tls."): first their shape,
    /// then, when that is sound, the files themselves (read relative to the working
    /// directory), so that a key that does not match its certificate, or cannot be read,
    /// is refused at config check with its path rather than failing every handshake.
    /// A problem with the whole (not one file) is reported at `wholeKey`.
    public func validate(prefix: String, wholeKey: String) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if certificatePath.isEmpty { problems.append(.init(keyPath: prefix + "certificatePath", "must name a PEM file")) }
        if keyPath.isEmpty { problems.append(.init(keyPath: prefix + "keyPath", "must name a PEM file")) }
        if clientAuth != .none, caPath?.isEmpty ?? true {
            problems.append(.init(keyPath: prefix + "caPath",
                                  "clientAuth \(clientAuth.rawValue) verifies client certificates against caPath; name the PEM file of the CA that signs them, or set clientAuth to none"))
        }
        guard problems.isEmpty else { return problems }
        do throws(TLSSetupError) {
            _ = try makeServerContext(resolve: { $0 })
        } catch {
            problems.append(.init(keyPath: error.key.isEmpty ? wholeKey : prefix + error.key, error.message))
        }
        return problems
    }
}

extension TLSSettings {
    /// The same settings with each file path passed through `resolve` (a plugin resolves
    /// relative paths against the directory its config names).
    public func resolvingPaths(_ resolve: (String) -> String) -> TLSSettings {
        var settings = self
        settings.certificatePath = resolve(certificatePath)
        settings.keyPath = resolve(keyPath)
        settings.caPath = caPath.map(resolve)
        return settings
    }
}
