/// Why a listener's TLS could not be set up; each names the file and the fix.
public enum TLSSetupError: Error, Equatable, CustomStringConvertible {
    /// A file could not be read (missing, or no permission).
    case unreadable(key: String, path: String, reason: String)
    /// A file holds no usable PEM certificate or key.
    case invalid(key: String, path: String, reason: String)
    /// The private key is not the key of the leaf certificate.
    case keyDoesNotMatchCertificate(certificatePath: String, keyPath: String)
    /// BoringSSL refused the configuration.
    case context(reason: String)

    /// The settings key the problem is with (`certificatePath`, `keyPath`, `caPath`), or ""
    /// when it is with the whole.
    public var key: String {
        switch self {
        case .unreadable(let key, _, _), .invalid(let key, _, _): key
        case .keyDoesNotMatchCertificate: "keyPath"
        case .context: ""
        }
    }

    /// What is wrong and what would fix it, without the key.
    public var message: String {
        switch self {
        case .unreadable(_, let path, let reason):
            "cannot read \(path): \(reason); check the path (relative to the directory sluice runs in) and that the sluice user may read it"
        case .invalid(_, let path, let reason):
            "\(path) is not a usable PEM file: \(reason); give a PEM certificate chain (certificatePath, caPath) or an unencrypted PEM private key (keyPath)"
        case .keyDoesNotMatchCertificate(let certificatePath, let keyPath):
            "the key in \(keyPath) is not the key of the first certificate in \(certificatePath); give the key the certificate was issued for, and put the leaf certificate first in the chain"
        case .context(let reason):
            "the TLS library refused the configuration: \(reason)"
        }
    }

    public var description: String { key.isEmpty ? "TLS: \(message)" : "\(key): \(message)" }
}
