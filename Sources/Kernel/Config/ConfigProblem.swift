/// One thing wrong with a configuration: where, what, and how to fix it.
///
/// Rendered as `connectors[1] "archive" (file-sink): config.topics: expected an array
/// of topic names, got a string`.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// Where the instance is, e.g. `connectors[1] "archive" (file-sink)`; empty for
    /// top-level keys.
    public var instance: String
    /// The key path inside it, e.g. `config.topics`.
    public var keyPath: String
    /// What is wrong and what would fix it.
    public var message: String

    public init(instance: String = "", keyPath: String, _ message: String) {
        self.instance = instance
        self.keyPath = keyPath
        self.message = message
    }

    /// The same problem placed under `prefix` (e.g. "config") inside `instance`.
    public func placed(in instance: String, under prefix: String) -> ConfigProblem {
        let path = [prefix, keyPath].filter { !$0.isEmpty }.joined(separator: ".")
        return ConfigProblem(instance: instance, keyPath: path, message)
    }

    public var description: String {
        let location = [instance, keyPath].filter { !$0.isEmpty }.joined(separator: ": ")
        return location.isEmpty ? message : "\(location): \(message)"
    }
}

/// Thrown when a configuration has problems; carries all of them.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]
    public var source: String
    public init(source: String, problems: [ConfigProblem]) {
        self.source = source
        self.problems = problems
    }
    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "\(source): \(count)\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
