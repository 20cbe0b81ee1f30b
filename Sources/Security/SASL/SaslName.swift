/// RFC 5802's `saslname`: a username inside a SCRAM message, where "," is written "=2C"
/// and "=" is written "=3D". Any other "=" sequence is malformed. Passwords are never escaped.
///
/// Both directions work on UTF-8 bytes, not on Swift's grapheme clusters: a "," or "=" after
/// a combining or prepended mark (U+0301, U+070F) is one `Character` with it, and would
/// otherwise slip past the escaping that clients (and Kafka, per UTF-16 unit) apply.
public enum SaslName {
    /// `name` as a SCRAM message carries it.
    public static func escape(_ name: String) -> String {
        var escaped: [UInt8] = []
        escaped.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "="): escaped += Array("=3D".utf8)
            case UInt8(ascii: ","): escaped += Array("=2C".utf8)
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    /// The username, or nil when `text` holds an "=" that starts neither "=2C" nor "=3D",
    /// or a raw ",".
    public static func unescape(_ text: Substring) -> String? { unescape(bytes: Array(text.utf8)[...]) }

    /// The username the UTF-8 `bytes` carry, or nil as for `unescape(_:)`.
    public static func unescape(bytes: ArraySlice<UInt8>) -> String? {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: ",") { return nil }
            guard byte == UInt8(ascii: "=") else {
                result.append(byte)
                index += 1
                continue
            }
            let code = bytes[(index + 1)...].prefix(2)
            if code.elementsEqual("2C".utf8) {
                result.append(UInt8(ascii: ","))
            } else if code.elementsEqual("3D".utf8) {
                result.append(UInt8(ascii: "="))
            } else {
                return nil
            }
            index += 3
        }
        return String(validating: result, as: UTF8.self)
    }
}
