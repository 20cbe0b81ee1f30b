/// Where a connector keeps its own progress (e.g. a file sink's next offset per
/// partition): string keys and values per connector name, durable when a write returns.
///
/// `Broker` implements it by forwarding to the metadata plugin, without an actor hop; a
/// connector never sees the metadata store itself.
public protocol ConnectorPositionStore: Sendable {
    /// Every stored position of `connector`; empty when none.
    func connectorPositions(connector: String) async throws -> [String: String]
    /// Stores (merging by key) positions of `connector`; durable when this returns.
    func setConnectorPositions(connector: String, _ positions: [String: String]) async throws
}
