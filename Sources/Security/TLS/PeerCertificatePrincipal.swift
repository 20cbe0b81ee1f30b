import NIOSSL
import X509

/// The name a client certificate authenticates as: its subject's distinguished name in
/// RFC 2253/4514 form, most specific first and escaped (`CN=alice,OU=eng,O=Acme,C=US`), as
/// Kafka's default `ssl.principal.mapping.rules` (`DEFAULT`) gives it. The principal is
/// then `User:` followed by this name.
public enum PeerCertificatePrincipal {
    /// The subject name of `certificate`, or nil when it cannot be parsed.
    public static func name(of certificate: NIOSSLCertificate) -> String? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        return String(describing: parsed.subject)
    }
}
