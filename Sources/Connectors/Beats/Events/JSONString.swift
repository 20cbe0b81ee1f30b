/// JSON string escapes, both ways: reading a captured field's value, and writing the
/// JSON object a v1 key/value event becomes.
enum JSONString {
    /// The UTF-8 of a string body as sent (between the quotes), escapes resolved.
    /// Returns nil for a malformed escape, which callers treat as "field absent".
    static func unescape(_ body: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard body.contains(0x5C) else { return Array(body) }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var index = 0
        while index < body.count {
            let byte = body[index]
            guard byte == 0x5C else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < body.count else { return nil }
            let escape = body[index + 1]
            index += 2
            switch escape {
            case 0x22, 0x5C, 0x2F: out.append(escape)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard var scalar = hex4(body, at: index) else { return nil }
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard index + 6 <= body.count, body[index] == 0x5C, body[index + 1] == 0x75,
                          let low = hex4(body, at: index + 2), (0xDC00..<0xE000).contains(low) else { return nil }
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                return nil
            }
        }
        return out
    }

    private static func hex4(_ body: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32? {
        guard index + 4 <= body.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let c = body[index + offset]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a quoted JSON string. Invalid UTF-8 is replaced by U+FFFD
    /// (as Logstash decodes v1 fields), so the output is always valid JSON.
    static func appendQuoted<Bytes: Collection>(_ text: Bytes, to out: inout [UInt8]) where Bytes.Element == UInt8 {
        out.append(0x22)
        for byte in String(decoding: text, as: UTF8.self).utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0x00..<0x20:
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}
