import ArgumentParser
import Foundation
import SluiceKernel
import SluiceServerConfig

/// `sluice metadata dump`: what the metadata store holds, for debugging.
struct MetadataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata", abstract: "Inspect the metadata store.", subcommands: [Dump.self])

    struct Dump: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the topic registry, committed group offsets and connector positions.",
            discussion: """
                Reads the SQLite metadata file read-only, so it is safe while a broker runs.
                Examples:
                  sluice metadata dump                         # the file of the default plugins.json
                  sluice metadata dump --config my.json --output json
                  sluice metadata dump --file data/metadata.sqlite
                """)

        @Option(help: "The plugins.json whose metadata file to read; the embedded default when omitted.")
        var config: String?

        @Option(help: "Read this SQLite metadata file instead of the configured one.")
        var file: String?

        @Option(help: "text or json.")
        var output: OutputFormat = .text

        func run() async throws {
            let url: URL
            if let file {
                url = URL(fileURLWithPath: file)
            } else {
                let loaded = try ConfigFile.load(path: config)
                guard loaded.metadata.entry.name == PluginTools.dumpableMetadataPlugin else {
                    throw ValidationError("the configured metadata plugin is '\(loaded.metadata.entry.name)'; dump reads sqlite files (pass --file)")
                }
                let dataDir = URL(fileURLWithPath: loaded.broker.dataDir, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                url = PluginTools.metadataFile(config: loaded.metadata.config, dataDirectory: dataDir)
            }
            do {
                print(try PluginTools.dumpMetadata(url, json: output == .json), terminator: "")
            } catch {
                FileHandle.standardError.write(Data("sluice metadata dump: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}
