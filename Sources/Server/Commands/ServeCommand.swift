import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SluiceKernel
import SluiceServerConfig

/// `sluice serve`: run the broker with its plugins until SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the broker with the plugins of a plugins.json.",
        discussion: """
            Examples:
              sluice serve                          # the embedded default plugins.json
              sluice serve --config my.json --log-level debug
            Stops cleanly on Ctrl-C or SIGTERM: listeners close, appends are flushed.
            """)

    @Option(help: "The plugins.json to use; the embedded default when omitted.")
    var config: String?

    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical); overrides broker.logLevel.")
    var logLevel: String?

    @Option(help: "Write the process id to this file while running.")
    var pidFile: String?

    func run() async throws {
        let loaded: SluiceConfig
        do {
            loaded = try ConfigFile.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("sluice serve: refusing to start\n\(error)\n".utf8))
            throw ExitCode(2)
        }
        let levelName = logLevel ?? loaded.broker.logLevel
        guard let level = Logger.Level(rawValue: levelName) else {
            FileHandle.standardError.write(Data("sluice serve: unknown --log-level '\(levelName)'\n".utf8))
            throw ExitCode(2)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "sluice")
        logger.logLevel = level
        do {
            try await Server(config: loaded, logger: logger, pidFile: pidFile).run()
        } catch let error as ServeError {
            logger.critical("\(error.description)")
            throw ExitCode(error.exitCode)
        } catch {
            logger.critical("sluice serve stopped on an error: \(error)")
            throw ExitCode(1)
        }
    }
}
