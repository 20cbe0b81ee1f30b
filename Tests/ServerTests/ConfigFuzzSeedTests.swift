import Foundation
import Testing
import SluiceServerConfig

/// The config fuzz target's seeds (Tests/Fuzz/corpus/config) through its entry code,
/// `ConfigFuzz.run`: the real configs load, each broken one is refused with problems a
/// user can act on rather than a crash.
@Suite struct ConfigFuzzSeedTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/config")

    static func seeds() throws -> [(name: String, bytes: [UInt8])] {
        try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted().map {
            ($0, [UInt8](try Data(contentsOf: corpus.appendingPathComponent($0))))
        }
    }

    @Test func realConfigsLoadAndBrokenOnesListTheirProblems() throws {
        let seeds = try Self.seeds()
        #expect(seeds.filter { !$0.name.hasPrefix("broken-") }.count >= 3)
        #expect(seeds.filter { $0.name.hasPrefix("broken-") }.count >= 5)
        for seed in seeds {
            switch ConfigFuzz.run(seed.bytes) {
            case .success:
                #expect(!seed.name.hasPrefix("broken-"), "\(seed.name) loaded")
            case .failure(let error):
                #expect(seed.name.hasPrefix("broken-"), "\(seed.name): \(error)")
                #expect(!error.problems.isEmpty, "\(seed.name)")
            }
        }
    }

    @Test func everyProblemOfABrokenConnectorListIsReported() throws {
        let bytes = try Self.seeds().first { $0.name == "broken-connectors" }!.bytes
        guard case .failure(let error) = ConfigFuzz.run(bytes) else {
            Issue.record("broken-connectors loaded")
            return
        }
        let text = "\(error)"
        #expect(text.contains("the name \"a\" is used by another connector"), "\(text)")
        #expect(text.contains("config.topics: name at least one topic"), "\(text)")
        #expect(text.contains("config.listen: \"nohost\""), "\(text)")
    }
}
