import Foundation

/// A SCRAM client-first message (RFC 5802 §7): `gs2-header client-first-bare`.
public struct ScramClientFirst: Sendable, Equatable {
    /// "n,," or "y,," with the authzid when one is given: what client-final's `c=` must
    /// carry in base64 ("biws" for "n,,").
    public var gs2Header: String
    /// The username, unescaped.
    public var username: String
    /// The client's nonce: printable ASCII without ",".
    public var nonce: String
    /// `n=…,r=…[,ext…]`: part of the AuthMessage both sides sign.
    public var bare: String
    /// Kafka's SCRAM extensions after the nonce (key=value), e.g. tokenauth.
    public var extensions: [String: String]

    /// Parses `bytes`; refuses channel binding ("p="), "m=", a malformed username
    /// escape, an authzid other than the username, and a nonce with unprintable bytes.
    public init(parsing bytes: [UInt8]) throws(SaslError) {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("client-first is not UTF-8") }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count >= 4 else { throw .malformed("client-first needs gs2 header, n= and r=") }
        switch parts[0] {
        case "n", "y": break
        case let flag where flag.hasPrefix("p="):
            throw .unsupported("channel binding (\(flag)) is not supported; use a client without it")
        default: throw .malformed("unknown gs2 channel-binding flag '\(parts[0])'")
        }
        var authzid: String?
        if !parts[1].isEmpty {
            guard parts[1].hasPrefix("a="), let name = SaslName.unescape(parts[1].dropFirst(2)) else {
                throw .malformed("the authzid must be a=<saslname>")
            }
            authzid = name
        }
        guard parts[2].hasPrefix("n="), let username = SaslName.unescape(parts[2].dropFirst(2)), !username.isEmpty else {
            if parts[2].hasPrefix("m=") { throw .unsupported("mandatory extension m= is not supported") }
            throw .malformed("the username must be n=<saslname> with only =2C and =3D escapes")
        }
        if let authzid, authzid != username {
            throw .unsupported("authorization id '\(authzid)' differs from the username '\(username)'")
        }
        guard parts[3].hasPrefix("r=") else { throw .malformed("the client nonce r= is missing") }
        let nonce = String(parts[3].dropFirst(2))
        guard !nonce.isEmpty, nonce.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .malformed("the client nonce must be printable ASCII")
        }
        var extensions: [String: String] = [:]
        for part in parts.dropFirst(4) {
            guard let equals = part.firstIndex(of: "="), equals != part.startIndex else {
                throw .malformed("extension '\(part)' is not key=value")
            }
            extensions[String(part[..<equals])] = String(part[part.index(after: equals)...])
        }
        gs2Header = "\(parts[0]),\(parts[1]),"
        self.username = username
        self.nonce = nonce
        bare = parts[2...].joined(separator: ",")
        self.extensions = extensions
    }
}

/// A SCRAM client-final message: `c=…,r=…,p=…`.
public struct ScramClientFinal: Sendable, Equatable {
    /// The decoded `c=`: the gs2 header (no channel binding data).
    public var channelBinding: [UInt8]
    public var nonce: String
    /// The decoded ClientProof.
    public var proof: [UInt8]
    /// Everything before ",p=": part of the AuthMessage.
    public var withoutProof: String

    public init(parsing bytes: [UInt8]) throws(SaslError) {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("client-final is not UTF-8") }
        guard let proofStart = text.range(of: ",p=", options: .backwards) else {
            throw .malformed("client-final has no proof p=")
        }
        withoutProof = String(text[..<proofStart.lowerBound])
        let parts = withoutProof.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("c="), parts[1].hasPrefix("r=") else {
            throw .malformed("client-final must start c=…,r=…")
        }
        guard let binding = Data(base64Encoded: String(parts[0].dropFirst(2))) else {
            throw .malformed("c= is not base64")
        }
        let proofText = text[proofStart.upperBound...]
        guard !proofText.contains(","), let proof = Data(base64Encoded: String(proofText)), !proof.isEmpty else {
            throw .malformed("p= is not base64")
        }
        channelBinding = Array(binding)
        nonce = String(parts[1].dropFirst(2))
        self.proof = Array(proof)
    }
}
