import Metrics
import SluiceBeats
import SluiceFileSink
import SluiceHTTP
import SluiceKafka
import SluiceKernel
import SluiceMemory
import SluiceSegmentLog
import SluiceSQLite
import SluiceZooKeeper

/// Every plugin `sluice` knows, listed by role. This is the composition root and the only
/// place that names a plugin's type: adding a backend is its target, one line here, and
/// its dependency in Package.swift (docs/writing-a-storage-plugin.md shows the diff).
package enum PluginCatalog {
    package static let storage: [StorageEntry] = [
        StorageEntry(SegmentLogStorageFactory.self),
        StorageEntry(MemoryStorageFactory.self),
    ]
    package static let metadata: [MetadataEntry] = [
        MetadataEntry(SQLiteMetadataFactory.self),
        MetadataEntry(MemoryMetadataFactory.self),
        MetadataEntry(ZooKeeperMetadataFactory.self),
    ]
    package static let protocols: [ProtocolEntry] = [
        ProtocolEntry(KafkaProtocolFactory.self),
        ProtocolEntry(HTTPProtocolFactory.self),
    ]
    package static let connectors: [ConnectorEntry] = [
        ConnectorEntry(BeatsInputFactory.self),
        ConnectorEntry(FileSinkFactory.self),
    ]
    /// How followers fetch from their leaders in cluster mode.
    package static let replicaTransport: any ReplicaTransportFactory.Type = KafkaReplicaTransport.self

    /// Every plugin of the given roles, as `sluice plugins` lists them.
    package static func descriptors(of kinds: Set<PluginKind>) -> [PluginDescriptor] {
        (storage.map(\.descriptor) + metadata.map(\.descriptor) + protocols.map(\.descriptor) + connectors.map(\.descriptor))
            .filter { kinds.contains($0.kind) }
    }
}

/// What every registered plugin shows whatever its role: name, role, documented keys, and
/// the check of a config section.
package struct PluginDescriptor: Sendable {
    package var name: String
    package var kind: PluginKind
    package var summary: String
    package var keys: [ConfigKeyDoc]
    /// Decodes and validates a config section; empty when valid.
    package var check: @Sendable (JSONValue?) -> [ConfigProblem]

    package init<C: PluginConfiguration>(name: String, kind: PluginKind, summary: String, configuration: C.Type) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.keys = C.keys
        self.check = { ConfigDecoding.decode(C.self, from: $0).1 }
    }

    /// Decodes a (checked) config section.
    package static func decoded<C: PluginConfiguration>(_ type: C.Type, _ json: JSONValue?) throws -> C {
        let (config, problems) = ConfigDecoding.decode(C.self, from: json)
        guard let config else { throw ConfigurationError(source: "plugin configuration", problems: problems) }
        return config
    }
}

/// A catalog entry of one role; its `make` takes exactly what that role may use.
package protocol CatalogEntry: Sendable {
    var descriptor: PluginDescriptor { get }
}

extension CatalogEntry {
    package var name: String { descriptor.name }
    package var kind: PluginKind { descriptor.kind }
}

/// A storage plugin: made from its config alone, before the kernel exists.
package struct StorageEntry: CatalogEntry {
    package let descriptor: PluginDescriptor
    package let make: @Sendable (JSONValue?, PluginContext) async throws -> any LogStorage

    package init<F: StoragePluginFactory>(_ factory: F.Type) {
        descriptor = PluginDescriptor(name: F.name, kind: .storage, summary: F.summary, configuration: F.Configuration.self)
        make = { json, context in try await F.make(PluginDescriptor.decoded(F.Configuration.self, json), context: context) }
    }
}

/// A metadata plugin: made from its config alone, before the kernel exists.
package struct MetadataEntry: CatalogEntry {
    package let descriptor: PluginDescriptor
    package let make: @Sendable (JSONValue?, PluginContext) async throws -> any MetadataStore

    package init<F: MetadataPluginFactory>(_ factory: F.Type) {
        descriptor = PluginDescriptor(name: F.name, kind: .metadata, summary: F.summary, configuration: F.Configuration.self)
        make = { json, context in try await F.make(PluginDescriptor.decoded(F.Configuration.self, json), context: context) }
    }
}

/// A protocol plugin: made with the kernel's `ProtocolServices`.
package struct ProtocolEntry: CatalogEntry {
    package let descriptor: PluginDescriptor
    /// The metrics backend the plugin exports, bootstrapped before anything starts.
    package let metricsBackend: @Sendable () -> (any MetricsFactory)?
    package let make: @Sendable (JSONValue?, PluginContext, ProtocolServices) async throws -> any ProtocolPlugin

    package init<F: ProtocolPluginFactory>(_ factory: F.Type) {
        descriptor = PluginDescriptor(name: F.name, kind: .protocol, summary: F.summary, configuration: F.Configuration.self)
        metricsBackend = { F.metricsBackend() }
        make = { json, context, services in
            try await F.make(PluginDescriptor.decoded(F.Configuration.self, json), services: services, context: context)
        }
    }
}

/// A source or sink connector: made with the kernel's `ConnectorServices`.
package struct ConnectorEntry: CatalogEntry {
    package let descriptor: PluginDescriptor
    package let make: @Sendable (JSONValue?, PluginContext, ConnectorServices) async throws -> any Connector

    package init<F: ConnectorFactory>(_ factory: F.Type) {
        descriptor = PluginDescriptor(name: F.name, kind: F.kind, summary: F.summary, configuration: F.Configuration.self)
        make = { json, context, services in
            try await F.make(PluginDescriptor.decoded(F.Configuration.self, json), services: services, context: context)
        }
    }
}
