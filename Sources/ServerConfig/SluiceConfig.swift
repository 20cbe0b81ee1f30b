import Foundation
import SluiceKernel

/// A loaded and checked plugins.json: the broker settings and every plugin instance with
/// its catalog entry and raw config section.
package struct SluiceConfig: Sendable {
    /// One configured plugin instance of a role, with its typed catalog entry.
    package struct Instance<Entry: CatalogEntry>: Sendable {
        /// e.g. `connectors[1] "archive" (file-sink)`, for logs and errors.
        package var label: String
        /// The connector's name, or the role ("storage", "metadata", "kafka"…).
        package var name: String
        package var entry: Entry
        package var config: JSONValue?
    }

    package var broker: BrokerConfig
    package var storage: Instance<StorageEntry>
    package var metadata: Instance<MetadataEntry>
    package var protocols: [Instance<ProtocolEntry>]
    package var connectors: [Instance<ConnectorEntry>]

    package static let topLevelKeys = ["broker", "storage", "metadata", "protocols", "connectors"]

    /// Loads a configuration, collecting every problem before failing.
    /// - Parameter source: the file name for messages ("plugins.json (embedded default)").
    package static func load(_ data: Data, source: String) throws(ConfigurationError) -> SluiceConfig {
        let root: JSONValue
        do {
            root = try JSONValue.parse(data)
        } catch {
            throw ConfigurationError(source: source, problems: [ConfigProblem(keyPath: "", "not valid JSON: \(jsonSyntaxMessage(error))")])
        }
        guard case .object(let top) = root else {
            throw ConfigurationError(source: source, problems: [ConfigProblem(keyPath: "", "expected an object with keys \(topLevelKeys.joined(separator: ", ")), got \(root.kindDescription)")])
        }
        var problems: [ConfigProblem] = []
        for key in top.keys.sorted() where !topLevelKeys.contains(key) {
            problems.append(ConfigDecoding.unknownKey(key, path: [key], candidates: topLevelKeys))
        }

        let (broker, brokerProblems) = ConfigDecoding.decode(BrokerConfig.self, from: top["broker"])
        problems += brokerProblems.map { $0.placed(in: "broker", under: "") }

        let storage = instance(top["storage"], label: "storage", name: "storage", role: "storage",
                               from: PluginCatalog.storage, problems: &problems)
        let metadata = instance(top["metadata"], label: "metadata", name: "metadata", role: "metadata",
                                from: PluginCatalog.metadata, problems: &problems)

        var protocols: [Instance<ProtocolEntry>] = []
        for (i, item) in list(top["protocols"], key: "protocols", problems: &problems).enumerated() {
            let plugin = item["plugin"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "?"
            if let made = instance(item, label: "protocols[\(i)] (\(plugin))", name: plugin, role: "protocol",
                                    from: PluginCatalog.protocols, problems: &problems) {
                protocols.append(made)
            }
        }

        var connectors: [Instance<ConnectorEntry>] = []
        var names: Set<String> = []
        for (i, item) in list(top["connectors"], key: "connectors", problems: &problems).enumerated() {
            let plugin = item["plugin"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "?"
            let name = item["name"].flatMap { if case .string(let s) = $0 { s } else { nil } }
            let label = "connectors[\(i)]" + (name.map { " \"\($0)\"" } ?? "") + " (\(plugin))"
            guard let name, !name.isEmpty else {
                problems.append(ConfigProblem(instance: label, keyPath: "name", "every connector needs a unique non-empty \"name\" (its positions are stored under it)"))
                continue
            }
            if !names.insert(name).inserted {
                problems.append(ConfigProblem(instance: label, keyPath: "name", "the name \"\(name)\" is used by another connector; names must be unique"))
            }
            if let made = instance(item, label: label, name: name, role: "sink/source",
                                    from: PluginCatalog.connectors, extraKeys: ["name"], problems: &problems) {
                connectors.append(made)
            }
        }

        guard problems.isEmpty, let broker, let storage, let metadata else {
            throw ConfigurationError(source: source, problems: problems)
        }
        return SluiceConfig(broker: broker, storage: storage, metadata: metadata, protocols: protocols, connectors: connectors)
    }

    private static func list(_ value: JSONValue?, key: String, problems: inout [ConfigProblem]) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?: return items
        case let other?:
            problems.append(ConfigProblem(keyPath: key, "expected an array of plugin instances, got \(other.kindDescription)"))
            return []
        }
    }

    /// Checks one `{ "plugin": …, "config": … }` section.
    private static func instance<Entry: CatalogEntry>(_ value: JSONValue?, label: String, name: String, role: String,
                                                      from entries: [Entry], extraKeys: Set<String> = [],
                                                      problems: inout [ConfigProblem]) -> Instance<Entry>? {
        let known = entries.map(\.name)
        guard case .object(let section)? = value else {
            let found = value?.kindDescription ?? "nothing"
            problems.append(ConfigProblem(instance: label, keyPath: "", "expected { \"plugin\": NAME, \"config\": {…} } naming a \(role) plugin (\(known.joined(separator: ", "))), got \(found)"))
            return nil
        }
        let allowed = Set(["plugin", "config"]).union(extraKeys)
        for key in section.keys.sorted() where !allowed.contains(key) {
            problems.append(ConfigDecoding.unknownKey(key, path: [key], candidates: Array(allowed)).placed(in: label, under: ""))
        }
        guard case .string(let pluginName)? = section["plugin"] else {
            problems.append(ConfigProblem(instance: label, keyPath: "plugin", "expected the name of a \(role) plugin (\(known.joined(separator: ", "))), got \(section["plugin"]?.kindDescription ?? "nothing")"))
            return nil
        }
        guard let entry = entries.first(where: { $0.name == pluginName }) else {
            problems.append(ConfigProblem(instance: label, keyPath: "plugin", "unknown \(role) plugin '\(pluginName)'; known: \(known.joined(separator: ", ")) (`sluice plugins` lists them with their keys)"))
            return nil
        }
        let configProblems = entry.descriptor.check(section["config"])
        problems += configProblems.map { $0.placed(in: label, under: "config") }
        return configProblems.isEmpty ? Instance(label: label, name: name, entry: entry, config: section["config"]) : nil
    }

    private static func jsonSyntaxMessage(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}
