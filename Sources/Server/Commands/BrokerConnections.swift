import KafkaWire
import SluiceKafkaClient

/// Connections to the brokers a Metadata response named, opened on first use: console
/// tools ask each partition's leader, which in a cluster is not always the bootstrap broker.
struct BrokerConnections {
    let client: ClientOptions
    /// The bootstrap connection, used for brokers whose address is the bootstrap address.
    let bootstrap: KafkaClient
    let brokers: [MetadataResponse.Broker]
    private var open: [Int32: KafkaClient] = [:]

    init(client: ClientOptions, bootstrap: KafkaClient, brokers: [MetadataResponse.Broker]) {
        self.client = client
        self.bootstrap = bootstrap
        self.brokers = brokers
    }

    /// The connection to broker `id`, or nil when it has no leader (-1) or is not listed.
    mutating func connection(to id: Int32) async throws -> KafkaClient? {
        guard id >= 0, let broker = brokers.first(where: { $0.nodeId == id }) else { return nil }
        if "\(broker.host):\(broker.port)" == client.address || brokers.count == 1 { return bootstrap }
        if let existing = open[id] { return existing }
        let host = broker.host, port = Int(broker.port)
        let connection = try await client.bounded("connect to broker \(id) at \(host):\(port)") {
            try await KafkaClient.connect(host: host, port: port)
        }
        open[id] = connection
        return connection
    }

    func close() async {
        for connection in open.values { await connection.close() }
    }
}
