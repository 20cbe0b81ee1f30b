import Foundation

/// The committed fuzz inputs: seed corpora (Tests/Fuzz/corpus/TARGET) and the inputs the
/// fuzzers found crashes with (Tests/Fuzz/regressions/TARGET).
enum FuzzInputs {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// Every seed of `target`, by file name.
    static func seeds(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        try files(in: root.appendingPathComponent("corpus").appendingPathComponent(target))
    }

    /// One committed regression input.
    static func regression(_ target: String, _ name: String) throws -> [UInt8] {
        let url = root.appendingPathComponent("regressions").appendingPathComponent(target).appendingPathComponent(name)
        return [UInt8](try Data(contentsOf: url))
    }

    private static func files(in directory: URL) throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.map { ($0, [UInt8](try Data(contentsOf: directory.appendingPathComponent($0)))) }
    }
}
