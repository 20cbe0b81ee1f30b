import ArgumentParser
import Foundation
import SluiceKernel
import SluiceServerConfig

/// `sluice config …`: work with configuration files.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check configuration files.",
        subcommands: [Check.self, Show.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a plugins.json and print every problem with its key path.",
            discussion: "Example: sluice config check plugins.json   (exits 2 when there are problems)")

        @Argument(help: "The file to check; the embedded default when omitted.")
        var file: String?

        func run() async throws {
            do {
                let config = try ConfigFile.load(path: file)
                print("\(file ?? DefaultConfig.source): OK — storage \(config.storage.entry.name), metadata \(config.metadata.entry.name), "
                      + "\(config.protocols.count) protocol(s), \(config.connectors.count) connector(s)")
            } catch let error as ConfigurationError {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the embedded default plugins.json.")
        func run() async throws { print(DefaultConfig.text, terminator: "") }
    }
}

/// Reads a configuration from a path or the embedded default.
enum ConfigFile {
    static func load(path: String?) throws -> SluiceConfig {
        guard let path else { return try SluiceConfig.load(Data(DefaultConfig.text.utf8), source: DefaultConfig.source) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(source: path, problems: [ConfigProblem(keyPath: "", "cannot read the file: check the path and its permissions")])
        }
        return try SluiceConfig.load(data, source: path)
    }
}
