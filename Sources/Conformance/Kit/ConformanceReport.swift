/// The outcome of running a plugin conformance suite: which named checks passed and
/// which failed with what. Test-framework agnostic, so a plugin's tests (XCTest or
/// Swift Testing) call a suite and assert `failures.isEmpty`, and a suite's own tests
/// can assert that a deliberately broken plugin fails a particular check.
public struct ConformanceReport: Sendable, CustomStringConvertible {
    public struct Failure: Sendable, CustomStringConvertible {
        public var check: String
        public var message: String
        public var description: String { "\(check): \(message)" }
    }

    public var passed: [String] = []
    public var failures: [Failure] = []

    public init() {}

    public var failedChecks: Set<String> { Set(failures.map(\.check)) }

    public var description: String {
        "\(passed.count) passed, \(failures.count) failed" + failures.map { "\n  ✗ \($0)" }.joined()
    }
}

/// Thrown by a check's expectation.
public struct ConformanceViolation: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Fails the current check with `message` unless `condition` holds.
public func conform(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ConformanceViolation(message()) }
}

/// Runs `body`, expecting it to throw an error matching `matches`.
public func conformThrows<T>(_ what: String, _ body: () async throws -> T, matches: (any Error) -> Bool) async throws {
    do {
        _ = try await body()
    } catch {
        try conform(matches(error), "\(what): threw the wrong error: \(error)")
        return
    }
    throw ConformanceViolation("\(what): expected an error, but it succeeded")
}

extension ConformanceReport {
    /// Runs one named check, recording a pass or its failure.
    public mutating func check(_ name: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            passed.append(name)
        } catch {
            failures.append(Failure(check: name, message: "\(error)"))
        }
    }
}
