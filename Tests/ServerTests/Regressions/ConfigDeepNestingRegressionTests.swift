import Foundation
import Testing
import SluiceServerConfig

/// Found by the config fuzz target (a -timeout=10 finding): 879 bytes of plugins.json
/// with ~430 nested arrays under "broker" kept the loader busy for over 10 s (debug +
/// ASan), since decoding cost grows with the square of the depth. The loader now refuses
/// nesting deeper than `JSONValue.maxDepth` before decoding, with a message that says so.
/// Input: Tests/Fuzz/regressions/config/deep-nesting-timeout.
@Suite struct ConfigDeepNestingRegressionTests {
    static let input = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/config/deep-nesting-timeout")

    @Test func deeplyNestedConfigIsRefusedWithAClearProblem() throws {
        let bytes = [UInt8](try Data(contentsOf: Self.input))
        guard case .failure(let error) = ConfigFuzz.run(bytes) else {
            Issue.record("the deeply nested config loaded")
            return
        }
        #expect(error.problems.count == 1)
        #expect("\(error)".contains("nested deeper than 64 levels"), "\(error)")
    }

    @Test func nestingUpToTheLimitStillParses() throws {
        let text = "{\"broker\": {\"x\": " + String(repeating: "[", count: 62) + String(repeating: "]", count: 62) + "}}"
        guard case .failure(let error) = ConfigFuzz.run(Array(text.utf8)) else {
            Issue.record("a config without storage loaded")
            return
        }
        // Parsed: the problems are about content (unknown key, missing plugins), not depth.
        #expect(!"\(error)".contains("nested deeper"), "\(error)")
        #expect("\(error)".contains("x"), "\(error)")
    }
}
