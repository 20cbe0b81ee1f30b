import Foundation

/// A kcat-style output format for consumed records (`-f`): `%t` topic, `%p` partition,
/// `%o` offset, `%k` key, `%s` value, `%T` timestamp (ms), `%h` headers (`k=v,k=v`),
/// `%S` value size, `%K` key size, `%%` a percent sign, and `\n`, `\t`, `\\` escapes.
struct RecordFormat: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case literal(String)
        case topic, partition, offset, key, value, timestamp, headers, valueSize, keySize
    }

    let pieces: [Piece]

    /// The default: the value followed by a newline, like a console consumer.
    static let valueOnly = RecordFormat(pieces: [.value, .literal("\n")])
    /// `--print-key`: key, a tab, the value.
    static let keyAndValue = RecordFormat(pieces: [.key, .literal("\t"), .value, .literal("\n")])

    init(pieces: [Piece]) { self.pieces = pieces }

    /// Parses a format string; unknown `%x` placeholders are an error naming them.
    init(parsing text: String) throws(RecordFormatError) {
        var pieces: [Piece] = []
        var literal = ""
        var iterator = text.makeIterator()
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
        }
        while let c = iterator.next() {
            switch c {
            case "%":
                guard let code = iterator.next() else { throw RecordFormatError(message: "the format ends with a lone '%'") }
                let piece: Piece
                switch code {
                case "t": piece = .topic
                case "p": piece = .partition
                case "o": piece = .offset
                case "k": piece = .key
                case "s": piece = .value
                case "T": piece = .timestamp
                case "h": piece = .headers
                case "S": piece = .valueSize
                case "K": piece = .keySize
                case "%": literal.append("%"); continue
                default: throw RecordFormatError(message: "unknown placeholder '%\(code)'; use %t %p %o %k %s %T %h %S %K or %%")
                }
                flush()
                pieces.append(piece)
            case "\\":
                switch iterator.next() {
                case "n": literal.append("\n")
                case "t": literal.append("\t")
                case "\\": literal.append("\\")
                case let other?: literal.append("\\"); literal.append(other)
                case nil: literal.append("\\")
                }
            default:
                literal.append(c)
            }
        }
        flush()
        self.pieces = pieces
    }

    /// Renders one record as bytes (keys and values are written as they are, not re-encoded).
    func render(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
                timestamp: Int64, headers: [(String, [UInt8]?)]) -> [UInt8] {
        var out: [UInt8] = []
        for piece in pieces {
            switch piece {
            case .literal(let text): out += Array(text.utf8)
            case .topic: out += Array(topic.utf8)
            case .partition: out += Array("\(partition)".utf8)
            case .offset: out += Array("\(offset)".utf8)
            case .key: out += key ?? []
            case .value: out += value ?? []
            case .timestamp: out += Array("\(timestamp)".utf8)
            case .headers:
                out += Array(headers.map { "\($0.0)=\(String(decoding: $0.1 ?? [], as: UTF8.self))" }.joined(separator: ",").utf8)
            case .valueSize: out += Array("\(value?.count ?? -1)".utf8)
            case .keySize: out += Array("\(key?.count ?? -1)".utf8)
            }
        }
        return out
    }
}

struct RecordFormatError: Error, CustomStringConvertible {
    var message: String
    var description: String { "invalid --format: \(message)" }
}
