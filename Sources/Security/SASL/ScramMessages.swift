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
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .malformed("client-first is not UTF-8") }
        let message = ScramAttributes(bytes)
        let parts = message.parts
        guard parts.count >= 4 else { throw .malformed("client-first needs gs2 header, n= and r=") }
        let flag = ScramAttributes.text(parts[0])
        switch flag {
        case "n", "y": break
        case _ where ScramAttributes.has(parts[0], prefix: "p="):
            throw .unsupported("channel binding (\(flag)) is not supported; use a client without it")
        default: throw .malformed("unknown gs2 channel-binding flag '\(flag)'")
        }
        var authzid: String?
        if !parts[1].isEmpty {
            guard ScramAttributes.has(parts[1], prefix: "a="), let name = SaslName.unescape(bytes: parts[1].dropFirst(2)) else {
                throw .malformed("the authzid must be a=<saslname>")
            }
            authzid = name
        }
        guard ScramAttributes.has(parts[2], prefix: "n="), let username = SaslName.unescape(bytes: parts[2].dropFirst(2)),
              !username.isEmpty else {
            if ScramAttributes.has(parts[2], prefix: "m=") { throw .unsupported("mandatory extension m= is not supported") }
            throw .malformed("the username must be n=<saslname> with only =2C and =3D escapes")
        }
        if let authzid, authzid != username {
            throw .unsupported("authorization id '\(authzid)' differs from the username '\(username)'")
        }
        guard ScramAttributes.has(parts[3], prefix: "r=") else { throw .malformed("the client nonce r= is missing") }
        let nonceBytes = parts[3].dropFirst(2)
        guard !nonceBytes.isEmpty, nonceBytes.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .malformed("the client nonce must be printable ASCII")
        }
        var extensions: [String: String] = [:]
        for part in parts.dropFirst(4) {
            guard let equals = part.firstIndex(of: UInt8(ascii: "=")), equals != part.startIndex else {
                throw .malformed("extension '\(ScramAttributes.text(part))' is not key=value")
            }
            extensions[ScramAttributes.text(part[..<equals])] = ScramAttributes.text(part[(equals + 1)...])
        }
        gs2Header = "\(flag),\(ScramAttributes.text(parts[1])),"
        self.username = username
        nonce = ScramAttributes.text(nonceBytes)
        bare = message.text(from: 2)
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
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .malformed("client-final is not UTF-8") }
        // The proof is the last attribute: everything before its ",p=" is signed.
        let marker = Array(",p=".utf8)
        guard let proofStart = bytes.indices.reversed().first(where: { bytes[$0...].starts(with: marker) }) else {
            throw .malformed("client-final has no proof p=")
        }
        let signed = Array(bytes[..<proofStart])
        let parts = ScramAttributes(signed).parts
        guard parts.count >= 2, ScramAttributes.has(parts[0], prefix: "c="), ScramAttributes.has(parts[1], prefix: "r=") else {
            throw .malformed("client-final must start c=…,r=…")
        }
        guard let binding = Data(base64Encoded: ScramAttributes.value(parts[0], after: 2)) else {
            throw .malformed("c= is not base64")
        }
        let proofBytes = bytes[(proofStart + marker.count)...]
        guard !proofBytes.contains(UInt8(ascii: ",")), let proof = Data(base64Encoded: ScramAttributes.text(proofBytes)),
              !proof.isEmpty else {
            throw .malformed("p= is not base64")
        }
        withoutProof = ScramAttributes.text(signed[...])
        channelBinding = Array(binding)
        nonce = ScramAttributes.value(parts[1], after: 2)
        self.proof = Array(proof)
    }
}
