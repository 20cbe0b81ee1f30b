import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// The roles a plugin can play; `sluice serve` starts them in this order and stops them
/// in reverse.
public enum PluginKind: String, Sendable, CaseIterable, Codable {
    case metadata, storage, `protocol`, source, sink
}

/// A plugin's configuration: a `Codable` struct whose every key has a documented
/// default, so `{}` is a valid configuration.
///
/// Decode with `decodeIfPresent(...) ?? default` so that omitted keys take defaults;
/// unknown keys are rejected by the loader, not by the type.
public protocol PluginConfiguration: Codable, Sendable {
    /// The configuration with every default.
    init()
    /// Documentation of every key for `sluice plugins`.
    static var keys: [ConfigKeyDoc] { get }
    /// Range and consistency checks beyond types; empty when valid.
    func validate() -> [ConfigProblem]
}

extension PluginConfiguration {
    public func validate() -> [ConfigProblem] { [] }
}

/// Documentation for one configuration key.
public struct ConfigKeyDoc: Sendable {
    public var key: String
    public var type: String
    public var defaultValue: String
    public var summary: String
    public init(_ key: String, _ type: String, default defaultValue: String, _ summary: String) {
        self.key = key
        self.type = type
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

/// What every plugin receives when it is made.
public struct PluginContext: Sendable {
    /// The instance's name in plugins.json (for connectors) or its role.
    public var instanceName: String
    /// The broker's data directory (absolute); plugins resolve relative paths against it.
    public var dataDirectory: URL
    /// A logger with the instance name in its metadata.
    public var logger: Logger
    /// The running server's service states (readiness, connector states); nil when a
    /// plugin runs outside `sluice serve`, e.g. in a test.
    public var statusBoard: ServiceStatusBoard?

    public init(instanceName: String, dataDirectory: URL, logger: Logger, statusBoard: ServiceStatusBoard? = nil) {
        self.instanceName = instanceName
        self.dataDirectory = dataDirectory
        self.logger = logger
        self.statusBoard = statusBoard
    }

    /// Resolves a configured path: absolute paths stay, relative ones are taken from the
    /// current directory, as users expect of paths in a config file they pass.
    public func resolve(path: String) -> URL {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
    }
}

/// Makes storage plugins (`storage` in plugins.json).
public protocol StoragePluginFactory: Sendable {
    associatedtype Configuration: PluginConfiguration
    /// The name users write in plugins.json, e.g. "segment-log".
    static var name: String { get }
    static var summary: String { get }
    static func make(_ config: Configuration, context: PluginContext) async throws -> any LogStorage
}

/// Makes metadata plugins (`metadata` in plugins.json).
public protocol MetadataPluginFactory: Sendable {
    associatedtype Configuration: PluginConfiguration
    static var name: String { get }
    static var summary: String { get }
    static func make(_ config: Configuration, context: PluginContext) async throws -> any MetadataStore
}

/// A plugin that accepts client connections and drives the kernel through
/// `ProtocolServices`. `run()` serves until graceful shutdown, then closes its listeners
/// and returns.
public protocol ProtocolPlugin: Service {
    /// Where it listens, for logs and tests (e.g. "127.0.0.1:9092"), once started.
    var name: String { get }
}

/// Makes protocol plugins (`protocols[]` in plugins.json).
public protocol ProtocolPluginFactory: Sendable {
    associatedtype Configuration: PluginConfiguration
    static var name: String { get }
    static var summary: String { get }
    /// Makes the plugin; `services` is everything of the kernel it may use.
    static func make(_ config: Configuration, services: ProtocolServices, context: PluginContext) async throws -> any ProtocolPlugin
    /// The swift-metrics backend this plugin exports (the http plugin's Prometheus
    /// registry), bootstrapped once per process before anything starts; nil (the
    /// default) when the plugin exports no metrics.
    static func metricsBackend() -> (any MetricsFactory)?
}

extension ProtocolPluginFactory {
    public static func metricsBackend() -> (any MetricsFactory)? { nil }
}

/// A connector that appends to topics (source) or consumes them (sink) through
/// `ConnectorServices`, tracking its own position in `ConnectorServices.positions`.
public protocol Connector: Service {
    var name: String { get }
}

/// Makes connectors (`connectors[]` in plugins.json).
public protocol ConnectorFactory: Sendable {
    associatedtype Configuration: PluginConfiguration
    static var name: String { get }
    static var summary: String { get }
    /// `.source` or `.sink`: sources start before sinks.
    static var kind: PluginKind { get }
    /// Makes the connector; `services` is everything of the kernel it may use.
    static func make(_ config: Configuration, services: ConnectorServices, context: PluginContext) async throws -> any Connector
}

/// Makes the transport followers fetch from leaders with in cluster mode (the Kafka
/// plugin's client). The catalog names one; the server never names its type.
public protocol ReplicaTransportFactory: Sendable {
    /// - Parameter clientId: the client id in request headers, e.g. "sluice-replica-1".
    static func makeReplicaTransport(clientId: String, logger: Logger) -> any ReplicaTransport
}
