import ArgumentParser
import Foundation
import KafkaWire
import SluiceKafkaClient

/// `sluice cluster`: the brokers of the cluster and which one is the controller.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "List the live brokers and the controller.",
        discussion: """
            On a single node this lists the one broker, which is also its controller.
            Example: sluice cluster --bootstrap 127.0.0.1:9092
            """)
    @OptionGroup var client: ClientOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let kafka = try await client.connect()
        defer { Task { await kafka.close() } }
        let metadata = try await client.bounded("metadata") { try await kafka.metadata(topics: []) }
        let rows = metadata.brokers.sorted { $0.nodeId < $1.nodeId }.map { broker in
            ["\(broker.nodeId)", "\(broker.host):\(broker.port)", broker.rack ?? "-", broker.nodeId == metadata.controllerId ? "yes" : ""]
        }
        let table = Table(columns: ["BROKER", "ADDRESS", "RACK", "CONTROLLER"], rows: rows)
        switch output.output {
        case .text:
            print("Cluster: \(metadata.clusterId ?? "-")  Brokers: \(rows.count)  Controller: \(metadata.controllerId < 0 ? "none" : "\(metadata.controllerId)")\n")
            print(table.renderText(), terminator: "")
        case .json:
            print(table.renderJSON(), terminator: "")
        }
    }
}
