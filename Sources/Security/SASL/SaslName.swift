/// RFC 5802's `saslname`: a username inside a SCRAM message, where "," is written "=2C"
/// and "=" is written "=3D". Any other "=" sequence is malformed. Passwords are never escaped.
public enum SaslName {
    /// `name` as a SCRAM message carries it.
    public static func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
    }

    /// The username, or nil when `text` holds an "=" that starts neither "=2C" nor "=3D",
    /// or a raw ",".
    public static func unescape(_ text: Substring) -> String? {
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "," { return nil }
            if character == "=" {
                let code = text[text.index(after: index)...].prefix(2)
                switch code {
                case "2C": result.append(",")
                case "3D": result.append("=")
                default: return nil
                }
                index = text.index(index, offsetBy: 3)
            } else {
                result.append(character)
                index = text.index(after: index)
            }
        }
        return result
    }
}
