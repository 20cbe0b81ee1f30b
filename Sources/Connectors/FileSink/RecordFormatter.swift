import NIOCore
import SluiceKernel

/// Turns records into the lines of a sink file.
///
/// - `value`: the record's value bytes followed by "\n" (a null value is an empty line).
///   Values that contain newlines span several lines; use `json` for those.
/// - `json`: one object per line, keys in this order:
///   `{"topic":"logs","partition":0,"offset":42,"timestamp":1700000000000,"key":null,
///   "headers":[{"key":"h","value":"v"}],"value":"text"}`. Timestamps are milliseconds
///   since the epoch. Keys, values and header values that are UTF-8 are JSON strings;
///   others are base64 followed by an encoding marker, e.g.
///   `"value":"AAEC","valueEncoding":"base64"`; null stays null.
struct RecordFormatter: Sendable {
    let format: FileSinkConfiguration.SinkFormat
    /// `{"topic":"…","partition":N,"offset":`, the same for every record of a partition.
    private let jsonPrefix: [UInt8]

    init(format: FileSinkConfiguration.SinkFormat, topicPartition: TopicPartition) {
        self.format = format
        var prefix: [UInt8] = []
        prefix.append(contentsOf: "{\"topic\":".utf8)
        JSONText.appendString(topicPartition.topic.utf8, to: &prefix)
        prefix.append(contentsOf: ",\"partition\":".utf8)
        JSONText.appendInteger(topicPartition.partition, to: &prefix)
        prefix.append(contentsOf: ",\"offset\":".utf8)
        jsonPrefix = prefix
    }

    /// Appends the line of `record` to `out`.
    func append(_ record: Record, to out: inout [UInt8]) {
        switch format {
        case .value:
            if let value = record.value { out.append(contentsOf: value) }
            out.append(0x0A)
        case .json:
            out.append(contentsOf: jsonPrefix)
            JSONText.appendInteger(record.offset, to: &out)
            out.append(contentsOf: ",\"timestamp\":".utf8)
            JSONText.appendInteger(record.timestamp, to: &out)
            out.append(UInt8(ascii: ","))
            JSONText.appendBytesField("key", record.key, to: &out)
            out.append(contentsOf: ",\"headers\":[".utf8)
            for (index, header) in record.headers.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: "{\"key\":".utf8)
                JSONText.appendString(header.key.utf8, to: &out)
                out.append(UInt8(ascii: ","))
                JSONText.appendBytesField("value", header.value, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(contentsOf: "],".utf8)
            JSONText.appendBytesField("value", record.value, to: &out)
            out.append(contentsOf: "}\n".utf8)
        }
    }

    /// Appends a `value`-format line from a value's bytes in place (nil: an empty line).
    func appendValue(_ value: ByteBuffer?, to out: inout [UInt8]) {
        value?.withUnsafeReadableBytes { out.append(contentsOf: $0) }
        out.append(0x0A)
    }

    /// The line of `record` alone (tests, rotation sizing).
    func line(_ record: Record) -> [UInt8] {
        var out: [UInt8] = []
        append(record, to: &out)
        return out
    }
}

/// Byte-level JSON writing for the `json` format: string escaping, UTF-8 checks and
/// base64, appended straight into the output buffer (no intermediate `String`s, since the
/// sink formats every record).
enum JSONText {
    /// Appends `"…"`: `bytes` (valid UTF-8) with quotes, backslashes and control
    /// characters escaped. Text that needs no escaping is copied in one go.
    static func appendString<Bytes: Collection<UInt8>>(_ bytes: Bytes, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if !bytes.contains(where: needsEscape) {
            out.append(contentsOf: bytes)
        } else {
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
                case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
                case 0x00..<0x20:
                    out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                            hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Appends `"<base64>"` (RFC 4648, with padding).
    static func appendBase64(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out.reserveCapacity(out.count + (bytes.count + 2) / 3 * 4 + 1)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(base64Alphabet[Int(chunk >> 18 & 0x3F)])
            out.append(base64Alphabet[Int(chunk >> 12 & 0x3F)])
            out.append(base64Alphabet[Int(chunk >> 6 & 0x3F)])
            out.append(base64Alphabet[Int(chunk & 0x3F)])
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let chunk = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(base64Alphabet[Int(chunk >> 18 & 0x3F)])
            out.append(base64Alphabet[Int(chunk >> 12 & 0x3F)])
            out.append(rest == 2 ? base64Alphabet[Int(chunk >> 6 & 0x3F)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends a decimal integer, without the `String` that `description` would allocate.
    static func appendInteger<I: BinaryInteger>(_ value: I, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    /// Whether `bytes` are well-formed UTF-8 (ASCII checked without decoding).
    static func isUTF8(_ bytes: [UInt8]) -> Bool {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }

    /// Appends `"name":` then the bytes as a string, or as base64 followed by
    /// `,"nameEncoding":"base64"` when they are not UTF-8, or `null`.
    static func appendBytesField(_ name: String, _ bytes: [UInt8]?, to out: inout [UInt8]) {
        appendString(name.utf8, to: &out)
        out.append(UInt8(ascii: ":"))
        guard let bytes else {
            out.append(contentsOf: "null".utf8)
            return
        }
        if isUTF8(bytes) {
            appendString(bytes, to: &out)
        } else {
            appendBase64(bytes, to: &out)
            out.append(UInt8(ascii: ","))
            appendString((name + "Encoding").utf8, to: &out)
            out.append(contentsOf: ":\"base64\"".utf8)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
}
