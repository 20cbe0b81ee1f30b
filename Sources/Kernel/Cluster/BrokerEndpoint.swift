/// A broker as the cluster knows it: its id and the Kafka address clients and other
/// brokers connect to (the `advertised` address, or the Kafka `listen` address).
public struct BrokerEndpoint: Sendable, Equatable, Hashable, Codable {
    /// `broker.id`, unique per node.
    public var id: Int32
    public var host: String
    public var port: Int32
    /// Optional rack name (Kafka's `broker.rack`); nil when unset.
    public var rack: String?

    public init(id: Int32, host: String, port: Int32, rack: String? = nil) {
        self.id = id
        self.host = host
        self.port = port
        self.rack = rack
    }
}
