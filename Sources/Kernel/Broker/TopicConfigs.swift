import Foundation

/// Topic-level configs: validation against the catalogue (`TopicConfigCatalogue.swift`)
/// and how the applied ones map onto storage and retention settings. Names and meanings
/// are Kafka's, so clients' admin calls work.
public enum TopicConfigs {
    /// Problems with `configs`, one message per bad key, sorted by key; empty when valid.
    /// A nil value (an override being removed) is valid for every known key.
    public static func validate(_ configs: [String: String?]) -> [String] {
        configs.sorted { $0.key < $1.key }.compactMap { name, value in
            guard let key = byName[name] else { return unknown(name) }
            guard let value else { return nil }
            return problem(key, value).map { "\(name): \($0)" }
        }
    }

    /// Values as they are stored: without the blanks Kafka's parsers ignore around them.
    public static func trimmed(_ value: String) -> String { value.trimmingCharacters(in: .whitespaces) }

    /// `configs` with every value `trimmed`.
    public static func trimmed(_ configs: [String: String]) -> [String: String] { configs.mapValues(trimmed) }

    /// Problems with a topic's effective overrides taken together (Kafka's cross checks).
    public static func validateCombination(_ configs: [String: String]) -> [String] {
        let minLag = configs["min.compaction.lag.ms"].flatMap(long) ?? 0
        let maxLag = configs["max.compaction.lag.ms"].flatMap(long) ?? Int64.max
        guard minLag > maxLag else { return [] }
        return ["min.compaction.lag.ms (\(minLag)) must not exceed max.compaction.lag.ms (\(maxLag))"]
    }

    static func unknown(_ name: String) -> String {
        let guess = known.map(\.name).min { distance(name, $0) < distance(name, $1) }
        let hint = guess.flatMap { distance(name, $0) <= 3 ? " (did you mean '\($0)'?)" : nil } ?? ""
        return "unknown topic config '\(name)'\(hint); known: \(known.map(\.name).joined(separator: ", "))"
    }

    /// Why `value` is not acceptable for `key`, or nil.
    static func problem(_ key: Key, _ value: String) -> String? {
        let text = value.trimmingCharacters(in: .whitespaces)
        switch key.type {
        case .boolean:
            guard bool(text) != nil else { return "expected true or false, got '\(value)'" }
        case .int:
            guard let n = Int32(text) else { return "expected a whole number from \(Int32.min) to \(Int32.max) (Kafka type int), got '\(value)'" }
            return check(Int64(n), key.rule)
        case .long:
            guard let n = Int64(text) else { return "expected a whole number (Kafka type long), got '\(value)'" }
            return check(n, key.rule)
        case .double:
            guard let x = Double(text), x.isFinite else { return "expected a number (Kafka type double), got '\(value)'" }
            if case .fraction(let low, let high) = key.rule, !(low...high).contains(x) {
                return "must be between \(low) and \(high), got \(text)"
            }
        case .string, .list:
            break
        }
        switch key.rule {
        case .oneOf(let allowed) where !allowed.contains(text):
            return "must be one of \(allowed.joined(separator: ", ")), got '\(value)'"
        case .eachOneOf(let allowed):
            if let bad = items(text).first(where: { !allowed.contains($0) }) {
                return "each item must be one of \(allowed.joined(separator: ", ")), got '\(bad)' in '\(value)'"
            }
        case .throttledReplicas:
            let list = items(text)
            if list == ["*"] { return nil }
            if let bad = list.first(where: { !isReplica($0) }) {
                return "expected '*' or items partition:broker (such as 0:1,1:2), got '\(bad)' in '\(value)'"
            }
        case .kafkaVersion where !isKafkaVersion(text):
            return "expected a Kafka release such as 2.8, 3.0-IV1 or 0.10.2, got '\(value)'"
        case .only(let allowed, let reason) where text.lowercased() != allowed:
            return "only \(allowed) is accepted: \(reason); got '\(value)'"
        default:
            break
        }
        return nil
    }

    static func check(_ n: Int64, _ rule: Rule) -> String? {
        switch rule {
        case .atLeast(let low) where n < low:
            "must be at least \(low), got \(n)"
        case .between(let low, let high) where !(low...high).contains(n):
            "must be between \(low) and \(high), got \(n)"
        case .minusOneOr(let low, let high) where n != -1 && !(low...high).contains(n):
            "must be -1 (the library default) or between \(low) and \(high), got \(n)"
        default:
            nil
        }
    }

    /// A list config's items: comma-separated, blanks trimmed, empty items dropped.
    public static func items(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }

    static func long(_ value: String) -> Int64? { Int64(value.trimmingCharacters(in: .whitespaces)) }

    static func isReplica(_ item: String) -> Bool {
        let parts = item.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(isDigit) }
    }

    static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }

    /// Kafka releases 0.8.0 to 3.9, as `major.minor`, optionally `.patch` and `-IVn`.
    static func isKafkaVersion(_ text: String) -> Bool {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 {
            guard parts[1].hasPrefix("IV"), parts[1].count > 2, parts[1].dropFirst(2).allSatisfy(isDigit) else { return false }
        }
        let numbers = parts[0].split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard (2...3).contains(numbers.count), let major = numbers[0], let minor = numbers[1] else { return false }
        if numbers.count == 3, numbers[2] == nil { return false }
        switch major {
        case 0: return (8...11).contains(minor)
        case 1: return (0...1).contains(minor)
        case 2: return (0...8).contains(minor)
        case 3: return (0...9).contains(minor)
        default: return false
        }
    }

    /// Edit distance, for "did you mean" hints.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Storage segment settings for a topic: its overrides on top of the plugin's defaults.
    public static func logConfig(_ configs: [String: String], defaults: PartitionLogConfig) -> PartitionLogConfig {
        TopicSettings(configs).logConfig(defaults: defaults)
    }

    /// Retention for a topic (see `TopicSettings.retention(defaults:)`).
    public static func retention(_ configs: [String: String], defaults: RetentionPolicy) -> RetentionPolicy {
        TopicSettings(configs).retention(defaults: defaults)
    }

    /// Validates a topic name the way Kafka does.
    public static func validateName(_ name: String) -> String? {
        if name.isEmpty { return "the name is empty" }
        if name == "." || name == ".." { return "'.' and '..' are not allowed" }
        if name.utf8.count > 249 { return "longer than 249 characters" }
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
        return allowed ? nil : "only ASCII letters, digits, '.', '_' and '-' are allowed"
    }
}
