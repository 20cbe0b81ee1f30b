import Foundation

/// Where each plugin instance of a running server stands, for readiness checks and the
/// admin API. The server registers every service before the group starts and records
/// each one's transitions; plugins read it through `PluginContext.statusBoard`.
public actor ServiceStatusBoard {
    /// A service's lifecycle state.
    public enum State: String, Sendable, Codable {
        /// Registered, its `run()` not entered yet.
        case starting
        /// Its `run()` is serving.
        case running
        /// Its `run()` returned (graceful shutdown).
        case stopped
        /// Its `run()` threw; `lastError` says why.
        case failed
    }

    /// One service instance.
    public struct Entry: Sendable, Equatable {
        /// The label logs use, e.g. `protocols[0] (kafka)` or `connectors[0] "archive" (file-sink)`.
        public var label: String
        /// The instance name (the connector's `name`, or the role for other plugins).
        public var instance: String
        /// The registered plugin name, e.g. "file-sink".
        public var plugin: String
        public var kind: PluginKind?
        public var state: State
        public var lastError: String?
        /// When the state last changed.
        public var since: Date
    }

    private var entries: [Entry] = []

    public init() {}

    /// Adds a service in state `starting`; order is kept for listings.
    public func register(label: String, instance: String, plugin: String, kind: PluginKind?) {
        entries.append(Entry(label: label, instance: instance, plugin: plugin, kind: kind, state: .starting, lastError: nil, since: Date()))
    }

    /// Records a transition of the service registered under `label`.
    public func set(_ label: String, _ state: State, error: String? = nil) {
        guard let index = entries.firstIndex(where: { $0.label == label }) else { return }
        entries[index].state = state
        entries[index].since = Date()
        if let error { entries[index].lastError = error }
    }

    /// Every registered service, in registration (start) order.
    public func all() -> [Entry] { entries }

    /// Services not serving yet (or no longer): readiness fails while any exist.
    public func notReady() -> [Entry] { entries.filter { $0.state != .running } }
}
