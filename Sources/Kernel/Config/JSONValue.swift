import Foundation

/// A parsed JSON document, kept as a tree so configuration errors can quote what a user
/// actually wrote at a key path.
public indirect enum JSONValue: Sendable, Equatable, Codable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .object(let o): try c.encode(o)
        case .array(let a): try c.encode(a)
        case .string(let s): try c.encode(s)
        case .integer(let i): try c.encode(i)
        case .number(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        }
    }

    /// Deepest nesting of arrays and objects `parse` accepts. Configurations need a
    /// handful of levels; decoding cost grows with the square of the depth.
    public static let maxDepth = 64

    /// Parses JSON text; the error names line and column when the text is not JSON, and
    /// says so when it nests deeper than `maxDepth`.
    public static func parse(_ data: Data) throws -> JSONValue {
        if let offset = nestingExceeds(maxDepth, in: data) {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription:
                "arrays and objects are nested deeper than \(maxDepth) levels (at byte \(offset))"))
        }
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The byte offset where nesting first goes past `limit`, skipping string contents.
    private static func nestingExceeds(_ limit: Int, in data: Data) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for (offset, byte) in data.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x5B, 0x7B:
                depth += 1
                if depth > limit { return offset }
            case 0x5D, 0x7D: depth -= 1
            default: break
            }
        }
        return nil
    }

    /// How a user would name this kind of value in an error message ("a string").
    public var kindDescription: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string(let s): "a string (\"\(s.prefix(40))\")"
        case .integer(let i): "the number \(i)"
        case .number(let d): "the number \(d)"
        case .bool(let b): "\(b)"
        case .null: "null"
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The value at a coding path, if there is one.
    func value(at path: [any CodingKey]) -> JSONValue? {
        var current: JSONValue? = self
        for key in path {
            switch current {
            case .object(let o): current = o[key.stringValue]
            case .array(let a):
                guard let i = key.intValue, a.indices.contains(i) else { return nil }
                current = a[i]
            default: return nil
            }
        }
        return current
    }
}
