/// A set of consecutive message versions, written as Kafka's message specs write them:
/// `"3+"` (3 and later), `"0-12"`, `"5"` (only 5) or `"none"`.
///
/// Declarations use string literals so that they read like the specs they come from;
/// a malformed literal stops the program the first time the declaration is loaded,
/// which the schema tests do for every message.
public struct Versions: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The lowest version in the set.
    public let lowest: Int16
    /// The highest version in the set (`Int16.max` for an open range such as `"3+"`).
    public let highest: Int16

    /// The empty set.
    public static let none = Versions(lowest: 1, highest: 0)
    /// Every version.
    public static let all = Versions(lowest: 0, highest: .max)

    public init(lowest: Int16, highest: Int16) {
        self.lowest = lowest
        self.highest = highest
    }

    /// A closed range of versions.
    public init(_ range: ClosedRange<Int16>) {
        self.init(lowest: range.lowerBound, highest: range.upperBound)
    }

    /// Parses `"N+"`, `"N-M"`, `"N"` or `"none"`; nil when malformed.
    public init?(parsing text: String) {
        if text == "none" {
            self = .none
        } else if text.hasSuffix("+"), let low = Int16(text.dropLast()), low >= 0 {
            self.init(lowest: low, highest: .max)
        } else if let dash = text.firstIndex(of: "-"),
                  let low = Int16(text[..<dash]), let high = Int16(text[text.index(after: dash)...]),
                  low >= 0, low <= high {
            self.init(lowest: low, highest: high)
        } else if let only = Int16(text), only >= 0 {
            self.init(lowest: only, highest: only)
        } else {
            return nil
        }
    }

    public init(stringLiteral text: String) {
        guard let parsed = Versions(parsing: text) else {
            preconditionFailure("malformed version range '\(text)' in a message declaration; use \"N+\", \"N-M\", \"N\" or \"none\"")
        }
        self = parsed
    }

    public var isEmpty: Bool { lowest > highest }

    /// Whether `version` is in the set.
    public func contains(_ version: Int16) -> Bool { version >= lowest && version <= highest }

    /// The versions in both sets.
    public func intersection(_ other: Versions) -> Versions {
        let result = Versions(lowest: max(lowest, other.lowest), highest: min(highest, other.highest))
        return result.isEmpty ? .none : result
    }

    /// As a closed range; nil when empty.
    public var closedRange: ClosedRange<Int16>? { isEmpty ? nil : lowest...highest }

    public var description: String {
        if isEmpty { return "none" }
        if highest == .max { return "\(lowest)+" }
        return lowest == highest ? "\(lowest)" : "\(lowest)-\(highest)"
    }
}
