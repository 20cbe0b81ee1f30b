/// A listen or advertised address, written `"host:port"` (IPv6 as `"[::1]:9092"`).
/// Port 0 asks the system for any free port.
public struct HostPort: Sendable, Equatable, Codable, CustomStringConvertible {
    public var host: String
    /// 0–65535; 0 = any free port.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Whether `host` names this machine only: 127.0.0.0/8, ::1 or "localhost". A listener
    /// bound there is out of the network's reach, so config checks allow plaintext
    /// passwords and open consoles on it.
    public static func isLoopback(host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Parses `"host:port"`; the error says what is wrong and what would fix it.
    public init(parsing text: String) throws(HostPortError) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw HostPortError(text: text, why: "expected \"[ipv6]:port\"") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw HostPortError(text: text, why: "expected \"host:port\", e.g. \"127.0.0.1:9092\"")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw HostPortError(text: text, why: "the host is empty; use 127.0.0.1 for local clients or 0.0.0.0 for all interfaces") }
        guard let port = Int(portText) else { throw HostPortError(text: text, why: "the port '\(portText)' is not a number") }
        guard (0...65535).contains(port) else {
            throw HostPortError(text: text, why: "port \(port) is out of range; use 1–65535 (or 0 for any free port)")
        }
        self.init(host: String(host), port: port)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public struct HostPortError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var why: String
    public var description: String { "\"\(text)\": \(why)" }
}
