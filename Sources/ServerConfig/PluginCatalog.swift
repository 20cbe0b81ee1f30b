import SluiceBeats
import SluiceFileSink
import SluiceHTTP
import SluiceKafka
import SluiceKernel
import SluiceMemory
import SluiceSegmentLog
import SluiceSQLite
import SluiceZooKeeper

/// Every plugin `sluice` knows, by role. This is the composition root: adding a backend
/// is one new target plus one line here.
package enum PluginCatalog {
    package static let entries: [CatalogEntry] = [
        .storage(SegmentLogStorageFactory.self),
        .storage(MemoryStorageFactory.self),
        .metadata(SQLiteMetadataFactory.self),
        .metadata(MemoryMetadataFactory.self),
        .metadata(ZooKeeperMetadataFactory.self),
        .protocolPlugin(KafkaProtocolFactory.self),
        .connector(BeatsInputFactory.self),
        .protocolPlugin(HTTPProtocolFactory.self),
        .connector(FileSinkFactory.self),
    ]

    package static func entries(of kinds: Set<PluginKind>) -> [CatalogEntry] {
        entries.filter { kinds.contains($0.kind) }
    }

    package static func find(_ name: String, kinds: Set<PluginKind>) -> CatalogEntry? {
        entries.first { $0.name == name && kinds.contains($0.kind) }
    }
}

/// A made plugin instance.
package enum PluginInstance: Sendable {
    case storage(any LogStorage)
    case metadata(any MetadataStore)
    case `protocol`(any ProtocolPlugin)
    case connector(any Connector)
}

/// One registered plugin, with its configuration type erased.
package struct CatalogEntry: Sendable {
    package var name: String
    package var kind: PluginKind
    package var summary: String
    package var keys: [ConfigKeyDoc]
    /// Decodes and validates a config section; empty when valid.
    package var check: @Sendable (JSONValue?) -> [ConfigProblem]
    /// Decodes a (checked) config section and makes the plugin.
    package var make: @Sendable (JSONValue?, PluginContext, Broker?) async throws -> PluginInstance

    private static func decoded<C: PluginConfiguration>(_ type: C.Type, _ json: JSONValue?) throws -> C {
        let (config, problems) = ConfigDecoding.decode(C.self, from: json)
        guard let config else { throw ConfigurationError(source: "plugin configuration", problems: problems) }
        return config
    }

    static func storage<F: StoragePluginFactory>(_ factory: F.Type) -> CatalogEntry {
        CatalogEntry(name: F.name, kind: .storage, summary: F.summary, keys: F.Configuration.keys,
                     check: { ConfigDecoding.decode(F.Configuration.self, from: $0).1 },
                     make: { json, context, _ in .storage(try await F.make(decoded(F.Configuration.self, json), context: context)) })
    }

    static func metadata<F: MetadataPluginFactory>(_ factory: F.Type) -> CatalogEntry {
        CatalogEntry(name: F.name, kind: .metadata, summary: F.summary, keys: F.Configuration.keys,
                     check: { ConfigDecoding.decode(F.Configuration.self, from: $0).1 },
                     make: { json, context, _ in .metadata(try await F.make(decoded(F.Configuration.self, json), context: context)) })
    }

    static func protocolPlugin<F: ProtocolPluginFactory>(_ factory: F.Type) -> CatalogEntry {
        CatalogEntry(name: F.name, kind: .protocol, summary: F.summary, keys: F.Configuration.keys,
                     check: { ConfigDecoding.decode(F.Configuration.self, from: $0).1 },
                     make: { json, context, broker in
                         .protocol(try await F.make(decoded(F.Configuration.self, json), broker: broker!, context: context))
                     })
    }

    static func connector<F: ConnectorFactory>(_ factory: F.Type) -> CatalogEntry {
        CatalogEntry(name: F.name, kind: F.kind, summary: F.summary, keys: F.Configuration.keys,
                     check: { ConfigDecoding.decode(F.Configuration.self, from: $0).1 },
                     make: { json, context, broker in
                         .connector(try await F.make(decoded(F.Configuration.self, json), broker: broker!, context: context))
                     })
    }
}
