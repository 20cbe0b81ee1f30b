#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an event payload is not a JSON object: what was wrong, and where (byte offset).
struct JSONScanError: Error, Sendable, CustomStringConvertible {
    var reason: String
    var offset: Int
    var description: String { "\(reason) at byte \(offset)" }
}

/// A forward-only walk over JSON bytes that checks structure — objects, arrays, string
/// ends, literals and number characters — without building values. It does not check
/// escapes inside strings or UTF-8, which is what keeps it near memchr speed: string
/// bodies, most of a log event, are skipped by searching for the closing quote.
struct JSONCursor {
    /// Objects and arrays nested deeper than this are refused (recursion bound).
    static let maxDepth = 256

    let bytes: UnsafePointer<UInt8>
    let count: Int
    var index = 0

    init(_ bytes: UnsafePointer<UInt8>, count: Int) {
        self.bytes = bytes
        self.count = count
    }

    func fail(_ reason: String) -> JSONScanError { JSONScanError(reason: reason, offset: index) }

    var atEnd: Bool { index >= count }
    var current: UInt8 { bytes[index] }

    mutating func skipWhitespace() {
        while index < count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` after optional whitespace, or fails naming what was expected.
    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONScanError) {
        skipWhitespace()
        guard index < count else { throw fail("expected \(what) but the payload ended") }
        guard bytes[index] == byte else { throw fail("expected \(what)") }
        index += 1
    }

    /// A string starting at the cursor's `"`; returns the range of its body (escapes
    /// left as sent) and leaves the cursor after the closing quote.
    ///
    /// The first 32 bytes are tested eight at a time for `"` or `\\` (SWAR: a zero byte
    /// in `word ^ pattern` marks a match) — most names and values end there. Longer
    /// strings, such as a log line, go to memchr, which is vectorised.
    mutating func string() throws(JSONScanError) -> Range<Int> {
        let open = index
        var position = index + 1
        let raw = UnsafeRawPointer(bytes)
        let wordsEnd = min(count, position + 32)
        while position < wordsEnd {
            if position + 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                let special = Self.zeroBytes(word ^ Self.quotes) | Self.zeroBytes(word ^ Self.backslashes)
                if special == 0 {
                    position += 8
                    continue
                }
                position += special.trailingZeroBitCount / 8
            } else {
                while position < count, bytes[position] != 0x22, bytes[position] != 0x5C { position += 1 }
                guard position < count else { break }
            }
            if bytes[position] == 0x22 {
                index = position + 1
                return open + 1..<position
            }
            position += 2  // an escape: its next byte never ends the string
        }
        // Long: find each quote and check whether an odd run of backslashes escapes it.
        var from = max(position, open + 1)
        while true {
            guard from < count, let hit = memchr(bytes + from, 0x22, count - from) else {
                throw JSONScanError(reason: "unterminated string", offset: open)
            }
            let quote = raw.distance(to: UnsafeRawPointer(hit))
            var backslashes = 0
            while quote - backslashes - 1 > open && bytes[quote - backslashes - 1] == 0x5C { backslashes += 1 }
            if backslashes % 2 == 0 {
                index = quote + 1
                return open + 1..<quote
            }
            from = quote + 1
        }
    }

    private static let quotes: UInt64 = 0x2222_2222_2222_2222
    private static let backslashes: UInt64 = 0x5C5C_5C5C_5C5C_5C5C

    /// High bit set in each byte of `word` that is zero (exact for the lowest such byte,
    /// which is the one used).
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    /// A number or a literal (`true`, `false`, `null`).
    mutating func scalar() throws(JSONScanError) {
        let first = bytes[index]
        switch first {
        case 0x74: try literal("true")
        case 0x66: try literal("false")
        case 0x6E: try literal("null")
        case 0x2D, 0x30...0x39:
            index += 1
            while index < count {
                switch bytes[index] {
                case 0x30...0x39, 0x2E, 0x65, 0x45, 0x2B, 0x2D: index += 1
                default: return
                }
            }
        default:
            throw fail("unexpected character \(Self.show(first))")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONScanError) {
        let length = word.utf8CodeUnitCount
        guard count - index >= length, memcmp(bytes + index, word.utf8Start, length) == 0 else {
            throw fail("invalid literal (expected \(word))")
        }
        index += length
    }

    /// Skips the rest of `openContainers` nested objects and arrays the cursor is inside,
    /// checking only that strings end and brackets balance: once the wanted fields are
    /// found, this is all an event's remaining bytes cost. Leaves the cursor after the
    /// outermost closing bracket.
    mutating func skipToEnd(openContainers: Int) throws(JSONScanError) {
        var depth = openContainers
        while index < count {
            switch bytes[index] {
            case 0x22:
                _ = try string()
            case 0x7B, 0x5B:
                depth += 1
                guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
                index += 1
            case 0x7D, 0x5D:
                depth -= 1
                index += 1
                if depth == 0 { return }
            default:
                index += 1
            }
        }
        throw fail("unclosed object")
    }

    /// Skips any value, checking its structure.
    mutating func skipValue(depth: Int) throws(JSONScanError) {
        skipWhitespace()
        guard index < count else { throw fail("expected a value but the payload ended") }
        switch bytes[index] {
        case 0x22: _ = try string()
        case 0x7B: try skipContainer(close: 0x7D, depth: depth + 1)
        case 0x5B: try skipContainer(close: 0x5D, depth: depth + 1)
        default: try scalar()
        }
    }

    /// Skips an object (`close` = `}`) or array (`close` = `]`) starting at the cursor.
    mutating func skipContainer(close: UInt8, depth: Int) throws(JSONScanError) {
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
        let isObject = close == 0x7D
        index += 1
        skipWhitespace()
        if index < count && bytes[index] == close {
            index += 1
            return
        }
        while true {
            if isObject {
                skipWhitespace()
                guard index < count, bytes[index] == 0x22 else { throw fail("expected a quoted member name") }
                _ = try string()
                try expect(0x3A, "':' after a member name")
            }
            try skipValue(depth: depth)
            skipWhitespace()
            guard index < count else { throw fail("unclosed \(isObject ? "object" : "array")") }
            if bytes[index] == 0x2C {
                index += 1
            } else if bytes[index] == close {
                index += 1
                return
            } else {
                throw fail("expected ',' or '\(isObject ? "}" : "]")'")
            }
        }
    }

    static func show(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "0x\(String(byte, radix: 16, uppercase: true))"
    }
}
