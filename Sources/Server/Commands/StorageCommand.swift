import ArgumentParser
import Foundation
import SluiceServerConfig

/// `sluice storage check DIR`: the segment checker, for operators after a crash and for
/// the crash tests.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage", abstract: "Inspect a storage directory.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every segment of a segment-log data directory; exit status 1 on any problem.",
            discussion: """
                Reads every batch (CRC-32C, offsets increasing), checks that segments do not
                overlap, that every index entry points at a batch, and that no .cleaned/.swap
                file of an interrupted clean is left. Changes nothing. Run it on a directory no
                broker is using: a running broker's half-written append would read as a problem.
                Example:
                  sluice storage check data
                """)

        @Argument(help: "The segment-log directory (the broker's dataDir unless storage config.directory is set).")
        var directory: String

        func run() async throws {
            let report: PluginTools.StorageCheckReport
            do {
                report = try PluginTools.checkStorage(directory: URL(fileURLWithPath: directory))
            } catch {
                FileHandle.standardError.write(Data("sluice storage check: \(error)\n".utf8))
                throw ExitCode(2)
            }
            print(report.text)
            if !report.isHealthy { throw ExitCode(1) }
        }
    }
}
