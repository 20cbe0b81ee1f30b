import ArgumentParser
import SluiceKernel
import SluiceServerConfig

/// `sluice plugins`: what can be named in plugins.json.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List registered plugins with their config keys and defaults.",
        discussion: """
            Example: sluice plugins
            For scripts: sluice plugins --output json prints {"plugins": [{"name", "kind", "summary", \
            "keys": [{"key", "type", "default", "summary"}]}], "broker": {"keys": [...]}}.
            """)

    @OptionGroup var output: OutputOptions

    func run() async throws {
        switch output.output {
        case .text: printText()
        case .json: print(jsonText(Self.json()), terminator: "")
        }
    }

    private func printText() {
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

    /// The catalog as JSON objects, in the text listing's order (by kind, then catalog order).
    static func json() -> [String: Any] {
        func keys(_ docs: [ConfigKeyDoc]) -> [[String: Any]] {
            docs.map { ["key": $0.key, "type": $0.type, "default": $0.defaultValue, "summary": $0.summary] }
        }
        let plugins: [[String: Any]] = PluginKind.allCases.flatMap { kind in
            PluginCatalog.descriptors(of: [kind]).map { entry in
                ["name": entry.name, "kind": kind.rawValue, "summary": entry.summary, "keys": keys(entry.keys)]
            }
        }
        return ["plugins": plugins, "broker": ["keys": keys(BrokerConfig.keys)]]
    }
}
