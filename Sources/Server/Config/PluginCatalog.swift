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
enum PluginCatalog {
    static let storage: [StorageEntry] = [
        StorageEntry(SegmentLogStorageFactory.self),
        StorageEntry(MemoryStorageFactory.self),
    ]
    static let metadata: [MetadataEntry] = [
        MetadataEntry(SQLiteMetadataFactory.self),
        MetadataEntry(MemoryMetadataFactory.self),
        MetadataEntry(ZooKeeperMetadataFactory.self),
    ]
    static let protocols: [ProtocolEntry] = [
        ProtocolEntry(KafkaProtocolFactory.self),
        ProtocolEntry(HTTPProtocolFactory.self),
    ]
    static let connectors: [ConnectorEntry] = [
        ConnectorEntry(BeatsInputFactory.self),
        ConnectorEntry(FileSinkFactory.self),
    ]
    /// How followers fetch from their leaders in cluster mode.
    static let replicaTransport: any ReplicaTransportFactory.Type = KafkaReplicaTransport.self

    /// Every plugin of the given roles, as `sluice plugins` lists them.
    static func descriptors(of kinds: Set<PluginKind>) -> [PluginDescriptor] {
        (storage.map(\.descriptor) + metadata.map(\.descriptor) + protocols.map(\.descriptor) + connectors.map(\.descriptor))
            .filter { kinds.contains($0.kind) }
    }
}

/// What every registered plugin shows whatever its role: name, role, documented keys, and
/// the check of a config section.
struct PluginDescriptor: Sendable {
    var name: String
    var kind: PluginKind
    var summary: String
    var keys: [ConfigKeyDoc]
    /// Decodes and validates a config section; empty when valid.
    var check: @Sendable (JSONValue?) -> [ConfigProblem]

    init<C: PluginConfiguration>(name: String, kind: PluginKind, summary: String, configuration: C.Type) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.keys = C.keys
        self.check = { ConfigDecoding.decode(C.self, from: $0).1 }
    }

    /// Decodes a (checked) config section.
    static func decoded<C: PluginConfiguration>(_ type: C.Type, _ json: JSONValue?) throws -> C {
        let (config, problems) = ConfigDecoding.decode(C.self, from: json)
        guard let config else { throw ConfigurationError(source: "plugin configuration", problems: problems) }
        return config
    }
}

/// A catalog entry of one role; its `make` takes exactly what that role may use.
protocol CatalogEntry: Sendable {
    var descriptor: PluginDescriptor { get }
}

extension CatalogEntry {
    var name: String { descriptor.name }
    var kind: PluginKind { descriptor.kind }
}

/// A storage plugin: made from its config alone, before the kernel exists.
struct StorageEntry: CatalogEntry {
    let descriptor: PluginDescriptor
    let make: @Sendable (JSONValue?, PluginContext) async throws -> any LogStorage

    init<F: StoragePluginFactory>(_ factory: F.Type) {
        descriptor = PluginDescriptor(name: F.name, kind: .storage, summary: F.summary, configuration: F.Configuration.self)
        make = { json, context in try await F.make(PluginDescriptor.decoded(F.Configuration.self, json), context: context) }
    }
}

/// A metadata plugin: made from its config alone, before the kernel exists.
struct MetadataEntry: CatalogEntry {
    let descriptor: PluginDescriptor
    let make: @Sendable (JSONValue?, PluginContext) async throws -> any MetadataStore

    init<F: MetadataPluginFactory>(_ factory: F.Type) {
        descriptor = PluginDescriptor(name: F.name, kind: .metadata, summary: F.summary, configuration: F.Configuration.self)
        make = { json, context in try await F.make(PluginDescriptor.decoded(F.Configuration.self, json), context: context) }
    }
}

/// A protocol plugin: made with the kernel's `ProtocolServices`.
struct ProtocolEntry: CatalogEntry {
    let descriptor: PluginDescriptor
    /// The metrics backend the plugin exports, bootstrapped before anything starts.
    let metricsBackend: @Sendable () -> (any MetricsFactory)?
    let make: @Sendable (JSONValue?, PluginContext, ProtocolServices) async throws -> any ProtocolPlugin

    init<F: ProtocolPluginFactory>(_ factory: F.Type) {
        descriptor = PluginDescriptor(name: F.name, kind: .protocol, summary: F.summary, configuration: F.Configuration.self)
        metricsBackend = { F.metricsBackend() }
        make = { json, context, services in
            try await F.make(PluginDescriptor.decoded(F.Configuration.self, json), services: services, context: context)
        }
    }
}

/// A source or sink connector: made with the kernel's `ConnectorServices`.
struct ConnectorEntry: CatalogEntry {
    let descriptor: PluginDescriptor
    let make: @Sendable (JSONValue?, PluginContext, ConnectorServices) async throws -> any Connector

    init<F: ConnectorFactory>(_ factory: F.Type) {
        descriptor = PluginDescriptor(name: F.name, kind: F.kind, summary: F.summary, configuration: F.Configuration.self)
        make = { json, context, services in
            try await F.make(PluginDescriptor.decoded(F.Configuration.self, json), services: services, context: context)
        }
    }
}
