import ArgumentParser
import Foundation
import KafkaWire
import SluiceKafkaClient

/// `sluice transactions …`: the transactions coordinators know, and hanging ones
/// (Kafka's `kafka-transactions.sh list|describe|find-hanging`).
struct TransactionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transactions", abstract: "List and describe transactions; find hanging ones.",
        discussion: "Example: sluice transactions list --state Ongoing",
        subcommands: [List.self, Describe.self, FindHanging.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every transactional id the brokers coordinate, with its producer id and state.",
            discussion: """
                Asks every broker of the cluster (each coordinates its own transactional ids).
                States: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort.
                Example: sluice transactions list --state Ongoing --min-duration-ms 60000
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @Option(name: .customLong("state"), help: "Only this state (repeatable).") var states: [String] = []
        @Option(name: .customLong("producer-id"), help: "Only this producer id (repeatable).") var producerIds: [Int64] = []
        @Option(help: "Only transactions running longer than this many milliseconds.") var minDurationMs: Int64?

        func run() async throws {
            let kafka = try await client.connect()
            let brokers = try await client.bounded("metadata") { try await kafka.metadata(topics: []) }.brokers
            var connections = BrokerConnections(client: client, bootstrap: kafka, brokers: brokers)
            var rows: [[String]] = []
            let (states, producerIds, minDurationMs) = (self.states, self.producerIds, self.minDurationMs)
            for broker in brokers.sorted(by: { $0.nodeId < $1.nodeId }) {
                guard let connection = try await connections.connection(to: broker.nodeId) else { continue }
                let listed = try await client.bounded("list transactions on broker \(broker.nodeId)") {
                    try await connection.listTransactions(states: states, producerIds: producerIds, minDurationMs: minDurationMs)
                }
                for entry in listed {
                    rows.append([entry.transactionalId, "\(broker.nodeId)", "\(entry.producerId)", entry.state])
                }
            }
            await connections.close()
            await kafka.close()
            rows.sort { $0[0] < $1[0] }
            print(Table(columns: ["TRANSACTIONAL-ID", "COORDINATOR", "PRODUCER-ID", "STATE"], rows: rows).render(output.output),
                  terminator: "")
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One transactional id: producer id and epoch, state, timeout, start time and partitions.",
            discussion: "Asks the id's transaction coordinator. Example: sluice transactions describe payments-1")
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Transactional id.") var transactionalId: String

        func run() async throws {
            let kafka = try await client.connect()
            let id = transactionalId
            let coordinator = try await client.bounded("find coordinator") { try await kafka.findTransactionCoordinator(id) }
            let brokers = try await client.bounded("metadata") { try await kafka.metadata(topics: []) }.brokers
            var connections = BrokerConnections(client: client, bootstrap: kafka, brokers: brokers)
            guard let connection = try await connections.connection(to: coordinator.nodeId) else {
                throw CLIError("transaction coordinator \(coordinator.nodeId) of '\(id)' is not in the cluster's metadata; retry")
            }
            let described = try await client.bounded("describe transaction") { try await connection.describeTransactions([id]) }
            await connections.close()
            await kafka.close()
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let rows = described.map { entry -> [String] in
                let started = entry.startTimeMs >= 0 ? "\(entry.startTimeMs)" : "-"
                let duration = entry.startTimeMs >= 0 ? "\(max(0, now - entry.startTimeMs))" : "-"
                let partitions = entry.partitions.keys.sorted().flatMap { topic in
                    entry.partitions[topic]!.sorted().map { "\(topic)-\($0)" }
                }
                return ["\(coordinator.nodeId)", entry.transactionalId, "\(entry.producerId)", "\(entry.producerEpoch)", entry.state,
                        "\(entry.timeoutMs)", started, duration, partitions.isEmpty ? "-" : partitions.joined(separator: ",")]
            }
            print(Table(columns: ["COORDINATOR", "TRANSACTIONAL-ID", "PRODUCER-ID", "PRODUCER-EPOCH", "STATE", "TIMEOUT-MS",
                                  "START-TIME-MS", "DURATION-MS", "PARTITIONS"], rows: rows).render(output.output),
                  terminator: "")
        }
    }

    struct FindHanging: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "find-hanging",
            abstract: "Open transactions on a topic's partitions that have run longer than the maximum transaction timeout.",
            discussion: """
                Asks each partition's leader for its producers (DescribeProducers). A producer whose
                transaction on the partition started more than --max-transaction-timeout-ms ago is
                listed, with what its coordinator says (ListTransactions by producer id); a
                transaction the coordinator no longer has, or has ended, holds back the partition's
                last stable offset and read_committed consumers.
                Example: sluice transactions find-hanging --topic payments
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Topic whose partitions to check.") var topic: String
        @Option(help: "The brokers' transactionMaxTimeoutMs, in milliseconds.") var maxTransactionTimeoutMs: Int64 = 900_000

        func run() async throws {
            let kafka = try await client.connect()
            let topic = self.topic
            let partitions = try await client.bounded("metadata") { try await kafka.partitions(of: topic) }
            let brokers = try await client.bounded("metadata") { try await kafka.metadata(topics: []) }.brokers
            var connections = BrokerConnections(client: client, bootstrap: kafka, brokers: brokers)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var rows: [[String]] = []
            for partition in partitions {
                guard let leader = try await connections.connection(to: partition.leaderId) else { continue }
                let index = partition.partitionIndex
                let producers = try await client.bounded("describe producers of \(topic)-\(index)") {
                    try await leader.describeProducers(topic: topic, partitions: [index])
                }[index] ?? []
                for producer in producers where producer.currentTxnStartOffset >= 0
                    && producer.lastTimestamp >= 0 && now - producer.lastTimestamp > maxTransactionTimeoutMs {
                    let coordinatorView = try await coordinatorState(of: producer.producerId, connections: &connections, brokers: brokers)
                    rows.append([topic, "\(index)", "\(producer.producerId)", "\(producer.producerEpoch)",
                                 "\(producer.currentTxnStartOffset)", "\(now - producer.lastTimestamp)", coordinatorView])
                }
            }
            await connections.close()
            await kafka.close()
            print(Table(columns: ["TOPIC", "PARTITION", "PRODUCER-ID", "PRODUCER-EPOCH", "START-OFFSET", "LAST-APPEND-AGE-MS",
                                  "COORDINATOR-STATE"], rows: rows).render(output.output), terminator: "")
        }

        /// "id:state" as some coordinator lists the producer, or "unknown" when none does.
        private func coordinatorState(of producerId: Int64, connections: inout BrokerConnections,
                                      brokers: [MetadataResponse.Broker]) async throws -> String {
            for broker in brokers {
                guard let connection = try await connections.connection(to: broker.nodeId) else { continue }
                let listed = try await client.bounded("list transactions on broker \(broker.nodeId)") {
                    try await connection.listTransactions(producerIds: [producerId])
                }
                if let entry = listed.first { return "\(entry.transactionalId):\(entry.state)" }
            }
            return "unknown"
        }
    }
}
