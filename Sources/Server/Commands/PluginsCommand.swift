import ArgumentParser
import SluiceKernel

/// `sluice plugins`: what can be named in plugins.json.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List registered plugins with their config keys and defaults.",
        discussion: "Example: sluice plugins")

    func run() async throws {
        for kind in PluginKind.allCases {
            let entries = PluginCatalog.descriptors(of: [kind])
            guard !entries.isEmpty else { continue }
            print("\(kind.rawValue):")
            for entry in entries {
                print("  \(entry.name) — \(entry.summary)")
                for key in entry.keys {
                    print("      \(key.key) (\(key.type), default \(key.defaultValue)): \(key.summary)")
                }
            }
        }
        print("broker:")
        for key in BrokerConfig.keys {
            print("      \(key.key) (\(key.type), default \(key.defaultValue)): \(key.summary)")
        }
    }
}
