import Foundation
import NIOSSL
import X509

extension TLSSettings {
    /// Loads the certificate chain, key and CA named by the settings (paths resolved by
    /// `resolve`) and makes the server context every connection of the listener shares.
    /// Checks that the key belongs to the leaf certificate, so a mismatch is refused at
    /// start rather than failing every handshake. TLS 1.2 and later.
    public func makeServerContext(resolve: (String) -> String) throws(TLSSetupError) -> NIOSSLContext {
        let configuration = try makeServerConfiguration(resolve: resolve)
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .context(reason: "\(error)")
        }
    }

    /// The checked server configuration `makeServerContext` builds its context from, for
    /// servers that make their own context (Hummingbird's TLS channel).
    public func makeServerConfiguration(resolve: (String) -> String) throws(TLSSetupError) -> TLSConfiguration {
        let certificateFile = resolve(certificatePath), keyFile = resolve(keyPath)
        let certificatePEM = try Self.read("certificatePath", certificateFile)
        let keyPEM = try Self.read("keyPath", keyFile)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
        } catch {
            throw .invalid(key: "certificatePath", path: certificateFile, reason: "\(error)")
        }
        guard let leaf = chain.first else {
            throw .invalid(key: "certificatePath", path: certificateFile, reason: "it holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        } catch {
            throw .invalid(key: "keyPath", path: keyFile, reason: "\(error) (an encrypted key is not supported)")
        }
        try Self.checkKey(keyPEM, matches: leaf, certificatePath: certificateFile, keyPath: keyFile)

        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        if clientAuth != .none, let caPath {
            let caFile = resolve(caPath)
            let caPEM = try Self.read("caPath", caFile)
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8))
            } catch {
                throw .invalid(key: "caPath", path: caFile, reason: "\(error)")
            }
            guard !roots.isEmpty else { throw .invalid(key: "caPath", path: caFile, reason: "it holds no PEM certificate") }
            configuration.trustRoots = .certificates(roots)
            configuration.certificateVerification = clientAuth == .required ? .noHostnameVerification : .optionalVerification
        }
        return configuration
    }

    private static func read(_ key: String, _ path: String) throws(TLSSetupError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = (error as NSError).userInfo[NSUnderlyingErrorKey].map { "\($0)" } ?? error.localizedDescription
            throw .unreadable(key: key, path: path, reason: reason)
        }
    }

    /// Compares the key's public half with the leaf certificate's public key.
    private static func checkKey(_ keyPEM: String, matches leaf: NIOSSLCertificate,
                                 certificatePath: String, keyPath: String) throws(TLSSetupError) {
        let certificate: Certificate
        let key: Certificate.PrivateKey
        do {
            certificate = try Certificate(derEncoded: try leaf.toDERBytes())
        } catch {
            throw .invalid(key: "certificatePath", path: certificatePath, reason: "\(error)")
        }
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyPEM)
        } catch {
            throw .invalid(key: "keyPath", path: keyPath, reason: "\(error)")
        }
        guard key.publicKey == certificate.publicKey else {
            throw .keyDoesNotMatchCertificate(certificatePath: certificatePath, keyPath: keyPath)
        }
    }
}
