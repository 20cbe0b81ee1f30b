import ArgumentParser
import Foundation
import KafkaWire
import SluiceKafkaClient
import SluiceKernel

/// `sluice topics …`: create, list, describe, alter and delete topics over the Kafka protocol.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics", abstract: "Create, list, describe, alter and delete topics.",
        discussion: """
            Works against any Kafka-compatible broker.
            Example: sluice topics create orders --partitions 3 --config retention.ms=3600000
            """,
        subcommands: [Create.self, List.self, Describe.self, Alter.self, Delete.self, DeleteRecords.self, VerifyReplicas.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a topic.",
            discussion: """
                Example: sluice topics create orders --partitions 3 --config retention.ms=3600000
                In a cluster: sluice topics create orders --partitions 6 --replication-factor 3
                """)
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var name: String
        @Option(help: "Partition count (default: the broker's).") var partitions: Int32?
        @Option(help: "Replicas of each partition (default: the broker's; 1 on a single node).") var replicationFactor: Int16?
        @Option(name: .customLong("config"), help: "A topic config override KEY=VALUE (repeatable).") var configs: [String] = []

        func run() async throws {
            let configs = try parsePairs(configs, option: "--config")
            let kafka = try await client.connect()
            defer { Task { await kafka.close() } }
            let (name, partitions, factor) = (self.name, self.partitions, self.replicationFactor)
            try await client.bounded("create topic") {
                try await kafka.createTopic(name, partitions: partitions, replicationFactor: factor, configs: configs)
            }
            print("created topic \(name)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics with their partition counts.",
                                                        discussion: "Example: sluice topics list --output json")
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let kafka = try await client.connect()
            defer { Task { await kafka.close() } }
            let response = try await client.bounded("list topics") { try await kafka.metadata(topics: nil) }
            let rows = response.topics.filter { $0.errorCode == 0 }.compactMap { topic in
                topic.name.map { [$0, "\(topic.partitions.count)"] }
            }.sorted { $0[0] < $1[0] }
            print(Table(columns: ["TOPIC", "PARTITIONS"], rows: rows).render(output.output), terminator: "")
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Partitions (leader, replicas, in-sync replicas, log start and end offsets) and configs (value and source) of a topic.",
            discussion: "Example: sluice topics describe orders")
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Topic name.") var name: String

        /// Answers of a leader that is not serving the partition yet (or any more).
        static let leaderNotReady: [KafkaErrorCode] = [.unknownTopicOrPartition, .leaderNotAvailable, .notLeaderOrFollower]

        func run() async throws {
            let kafka = try await client.connect()
            defer { Task { await kafka.close() } }
            let name = self.name
            let partitions = try await client.bounded("describe topic") { try await kafka.partitions(of: name) }
            let brokers = try await client.bounded("metadata") { try await kafka.metadata(topics: [name]) }.brokers
            // Offsets come from each partition's leader (in a cluster, not always this broker).
            var leaders = BrokerConnections(client: client, bootstrap: kafka, brokers: brokers)
            var partitionRows: [[String]] = []
            for partition in partitions {
                let index = partition.partitionIndex
                var start = "-", end = "-"
                // A leader that just died is still named until the controller moves it, and a
                // new leader may not have opened a just-created partition yet: its offsets
                // show as "-" rather than failing the whole description.
                if let leader = try? await leaders.connection(to: partition.leaderId) {
                    do {
                        start = "\(try await client.bounded("list offsets") { try await leader.listOffset(topic: name, partition: index, .earliest) }.offset)"
                        end = "\(try await client.bounded("list offsets") { try await leader.listOffset(topic: name, partition: index, .latest) }.offset)"
                    } catch KafkaClientError.broker(let code, _, _) where Self.leaderNotReady.contains(code) {
                        start = "-"
                        end = "-"
                    }
                }
                partitionRows.append(["\(index)", partition.leaderId < 0 ? "none" : "\(partition.leaderId)",
                                      partition.replicaNodes.map(String.init).joined(separator: ","),
                                      partition.isrNodes.map(String.init).joined(separator: ","), start, end])
            }
            await leaders.close()
            let configs = try await client.bounded("describe configs") { try await kafka.describeTopicConfigs(name) }
            let configRows = configs.sorted { $0.name < $1.name }.map { [$0.name, $0.value ?? "", configSourceName($0.source)] }
            let partitionTable = Table(columns: ["PARTITION", "LEADER", "REPLICAS", "ISR", "LOG START", "LOG END"], rows: partitionRows)
            let configTable = Table(columns: ["CONFIG", "VALUE", "SOURCE"], rows: configRows)
            switch output.output {
            case .text:
                print("Topic: \(name)  Partitions: \(partitions.count)\n")
                print(partitionTable.renderText())
                print(configTable.renderText(), terminator: "")
            case .json:
                func objects(_ table: Table) -> Any {
                    try! JSONSerialization.jsonObject(with: Data(table.renderJSON().utf8))
                }
                print(jsonText(["topic": name, "partitions": objects(partitionTable), "configs": objects(configTable)]), terminator: "")
            }
        }
    }

    struct Alter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Raise a topic's partition count and change its config overrides.",
            discussion: """
                --config KEY=VALUE sets an override, --delete-config KEY returns it to the default;
                other overrides stay (IncrementalAlterConfigs).
                Examples: sluice topics alter orders --partitions 6
                          sluice topics alter orders --config retention.ms=86400000 --delete-config segment.bytes
                """)
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var name: String
        @Option(help: "The new (higher) partition count.") var partitions: Int32?
        @Option(name: .customLong("config"), help: "Set a topic config override KEY=VALUE (repeatable).") var configs: [String] = []
        @Option(name: .customLong("delete-config"), help: "Remove the override of KEY, back to its default (repeatable).")
        var deleteConfigs: [String] = []

        func validate() throws {
            _ = try parsePairs(configs, option: "--config")
            if partitions == nil && configs.isEmpty && deleteConfigs.isEmpty {
                throw ValidationError("nothing to alter: give --partitions N, --config KEY=VALUE or --delete-config KEY")
            }
        }

        func run() async throws {
            let kafka = try await client.connect()
            defer { Task { await kafka.close() } }
            let (name, deletes) = (self.name, deleteConfigs)
            let sets = try parsePairs(configs, option: "--config")
            if !sets.isEmpty || !deletes.isEmpty {
                try await client.bounded("alter configs") { try await kafka.alterTopicConfigs(name, set: sets, delete: deletes) }
                let changed = sets.keys.sorted().map { "\($0)=\(sets[$0]!)" } + deletes.sorted().map { "\($0) (default)" }
                print("topic \(name): \(changed.joined(separator: ", "))")
            }
            if let total = partitions {
                try await client.bounded("create partitions") { try await kafka.createPartitions(name, total: total) }
                print("topic \(name) now has \(total) partitions")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a topic and all its data (asks first on a terminal unless --yes).",
            discussion: "Example: sluice topics delete orders --yes")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var name: String
        @Flag(help: "Do not ask for confirmation.") var yes = false

        func run() async throws {
            if !yes && isatty(STDIN_FILENO) == 1 {
                FileHandle.standardError.write(Data("Delete topic '\(name)' and all its data? [y/N] ".utf8))
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    printError("not deleted")
                    throw ExitCode(1)
                }
            }
            let kafka = try await client.connect()
            defer { Task { await kafka.close() } }
            let name = self.name
            try await client.bounded("delete topic") { try await kafka.deleteTopic(name) }
            print("deleted topic \(name)")
        }
    }
}

/// KEY=VALUE pairs from repeated options.
func parsePairs(_ pairs: [String], option: String) throws -> [String: String] {
    var result: [String: String] = [:]
    for pair in pairs {
        guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
            throw ValidationError("\(option) '\(pair)' is not KEY=VALUE")
        }
        result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    return result
}

/// Kafka's ConfigSource names.
func configSourceName(_ source: Int8) -> String {
    switch source {
    case 1: "DYNAMIC_TOPIC_CONFIG"
    case 2: "DYNAMIC_BROKER_CONFIG"
    case 3: "DYNAMIC_DEFAULT_BROKER_CONFIG"
    case 4: "STATIC_BROKER_CONFIG"
    case 5: "DEFAULT_CONFIG"
    case 6: "DYNAMIC_BROKER_LOGGER_CONFIG"
    default: "UNKNOWN"
    }
}
