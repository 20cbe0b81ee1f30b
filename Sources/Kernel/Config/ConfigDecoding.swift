import Foundation

/// Decodes configuration sections from JSON with the errors users need: every problem
/// names its key path, says what was expected and what was found, unknown keys are
/// rejected (with a "did you mean" when one is close), and range checks from `validate()`
/// come in the same list.
public enum ConfigDecoding {
    /// Decodes `value` (nil = the key was absent, i.e. all defaults) as `T`.
    /// - Returns: the decoded configuration when there were no problems, and the problems.
    public static func decode<T: PluginConfiguration>(_ type: T.Type, from value: JSONValue?) -> (T?, [ConfigProblem]) {
        guard let value, value != .null else {
            let config = T()
            let problems = config.validate()
            return (problems.isEmpty ? config : nil, problems)
        }
        guard case .object = value else {
            return (nil, [ConfigProblem(keyPath: "", "expected an object with keys \(T.keys.map(\.key).joined(separator: ", ")), got \(value.kindDescription)")])
        }
        let config: T
        do {
            config = try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
        } catch let error as DecodingError {
            return (nil, unknownKeys(in: value, known: Set(T.keys.map(\.key)), path: []) + [render(error, in: value)])
        } catch {
            return (nil, [ConfigProblem(keyPath: "", "\(error)")])
        }
        var problems: [ConfigProblem] = []
        if let encoded = try? JSONValue.parse(JSONEncoder().encode(config)) {
            problems += unknownKeys(in: value, decoded: encoded, documented: T.keys.map(\.key), path: [])
        }
        problems += config.validate()
        return (problems.isEmpty ? config : nil, problems)
    }

    /// Keys the user wrote that the decoded value does not have (a typo, or a key of a
    /// different plugin). Recurses into nested objects and arrays of objects.
    static func unknownKeys(in input: JSONValue, decoded: JSONValue, documented: [String], path: [String]) -> [ConfigProblem] {
        switch (input, decoded) {
        case (.object(let given), .object(let known)):
            var problems: [ConfigProblem] = []
            for key in given.keys.sorted() {
                let keyPath = path + [key]
                if let knownValue = known[key] {
                    problems += unknownKeys(in: given[key]!, decoded: knownValue, documented: [], path: keyPath)
                } else if given[key] != .null || !documented.contains(key) {
                    let candidates = documented.isEmpty ? Array(known.keys) : documented
                    problems.append(unknownKey(key, path: keyPath, candidates: candidates))
                }
            }
            return problems
        case (.array(let given), .array(let known)) where given.count == known.count:
            return zip(given, known).enumerated().flatMap { i, pair in
                unknownKeys(in: pair.0, decoded: pair.1, documented: [], path: path.dropLast() + ["\(path.last ?? "")[\(i)]"])
            }
        default:
            return []
        }
    }

    /// Unknown top-level keys, used when decoding failed and no decoded value exists.
    static func unknownKeys(in input: JSONValue, known: Set<String>, path: [String]) -> [ConfigProblem] {
        guard case .object(let given) = input else { return [] }
        return given.keys.sorted().filter { !known.contains($0) }.map { unknownKey($0, path: path + [$0], candidates: Array(known)) }
    }

    /// The problem for an unknown key, suggesting the closest known key when it is close.
    public static func unknownKey(_ key: String, path: [String], candidates: [String]) -> ConfigProblem {
        let known = candidates.sorted()
        var message = "unknown key '\(key)'"
        if let best = known.min(by: { editDistance($0.lowercased(), key.lowercased()) < editDistance($1.lowercased(), key.lowercased()) }),
           editDistance(best.lowercased(), key.lowercased()) <= max(2, key.count / 3) {
            message += "; did you mean '\(best)'?"
        } else if !known.isEmpty {
            message += "; known keys: \(known.joined(separator: ", "))"
        } else {
            message += "; this section takes no keys"
        }
        return ConfigProblem(keyPath: path.joined(separator: "."), message)
    }

    /// Renders a `DecodingError` from its coding path and the JSON actually there, never
    /// from its `localizedDescription`.
    public static func render(_ error: DecodingError, in root: JSONValue) -> ConfigProblem {
        func pathString(_ path: [any CodingKey]) -> String {
            path.reduce(into: "") { result, key in
                if let i = key.intValue, key.stringValue == "Index \(i)" || key.stringValue == "\(i)" { result += "[\(i)]" }
                else { result += result.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
        }
        switch error {
        case .typeMismatch(let type, let context):
            let found = root.value(at: context.codingPath)?.kindDescription ?? "something else"
            return ConfigProblem(keyPath: pathString(context.codingPath), "expected \(describe(type)), got \(found)")
        case .valueNotFound(let type, let context):
            return ConfigProblem(keyPath: pathString(context.codingPath), "expected \(describe(type)), got null")
        case .keyNotFound(let key, let context):
            return ConfigProblem(keyPath: pathString(context.codingPath + [key]), "required key is missing")
        case .dataCorrupted(let context):
            return ConfigProblem(keyPath: pathString(context.codingPath), context.debugDescription)
        @unknown default:
            return ConfigProblem(keyPath: "", "\(error)")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type, is Int16.Type, is UInt16.Type, is UInt32.Type: return "a whole number"
        case is Double.Type, is Float.Type: return "a number"
        case is [String].Type: return "an array of strings"
        case is [String: String].Type: return "an object of string values"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array<") { return "an array" }
            if name.hasPrefix("Dictionary<") { return "an object" }
            return name
        }
    }

    /// Levenshtein distance, for "did you mean".
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
