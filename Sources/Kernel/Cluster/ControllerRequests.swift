/// What other brokers ask of this broker's controller, for a protocol plugin to answer
/// (Kafka's ControlledShutdown). `ClusterNode` attaches itself while it runs; the answer
/// depends on whether this broker holds the controller role at that moment.
public actor ControllerRequests {
    private weak var node: ClusterNode?

    public init() {}

    func attach(_ node: ClusterNode) { self.node = node }

    /// A broker about to stop asks for its leaderships to move to in-sync followers and
    /// for its removal from every ISR. Returns the partitions it still leads afterwards
    /// (no other in-sync replica is alive); it asks again after a pause until none remain
    /// or its wait ends.
    public func controlledShutdown(brokerId: Int32) async throws(ControlledShutdownError) -> [TopicPartition] {
        guard let node else { throw .notController(nil) }
        return try await node.controlledShutdown(of: brokerId)
    }
}

/// Why a controlled-shutdown request was refused.
public enum ControlledShutdownError: Error, Sendable, Equatable, CustomStringConvertible {
    /// This broker is not the controller (the one it knows of, if any); ask that one.
    case notController(Int32?)
    /// The coordination service failed while the controller wrote the moves; ask again.
    case coordination(String)

    public var description: String {
        switch self {
        case .notController(let id):
            "this broker is not the controller" + (id.map { "; broker \($0) is" } ?? "; none is elected yet")
        case .coordination(let why): "the controller could not write the partition moves: \(why); ask again"
        }
    }
}
