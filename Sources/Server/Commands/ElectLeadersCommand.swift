import ArgumentParser
import KafkaWire
import SluiceKafkaClient

extension ClusterCommand {
    /// `sluice cluster elect-leaders [--unclean] [--topic T [--partition P]]`.
    struct ElectLeaders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "elect-leaders", abstract: "Elect preferred leaders, or (--unclean) leaders of partitions that have none.",
            discussion: """
                A preferred election moves leadership to each partition's first replica when it is
                live and in sync. An unclean election gives a partition whose in-sync replicas are
                all down its first live replica as leader, even out of sync: the records that
                replica lacks are lost. Without --topic every partition is elected, and only the
                partitions that needed an election are listed.
                Exit status 1 when an election named explicitly could not run (ELECTION_NOT_NEEDED
                is not a failure).
                Example: sluice cluster elect-leaders --unclean --topic orders --partition 0
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Elect out-of-sync replicas of partitions with no live in-sync replica (loses records).") var unclean = false
        @Option(help: "Only this topic's partitions.") var topic: String?
        @Option(help: "Only this partition of --topic.") var partition: Int32?

        func validate() throws {
            if partition != nil && topic == nil { throw ValidationError("--partition needs --topic") }
        }

        func run() async throws {
            let session = try await ControllerSession.open(client)
            defer { Task { await session.close() } }
            var named: [(topic: String, partition: Int32)]?
            if let topic {
                let partitions = session.plan.assignment.keys.filter { $0.topic == topic && (partition == nil || $0.partition == partition) }
                guard !partitions.isEmpty else {
                    throw ValidationError("no partition \(partition.map { "\($0) " } ?? "")of topic '\(topic)' (sluice topics describe \(topic))")
                }
                named = partitions.sorted().map { ($0.topic, $0.partition) }
            }
            let unclean = self.unclean, request = named
            let outcomes = try await client.bounded("elect leaders") {
                try await session.controller.electLeaders(unclean: unclean, partitions: request)
            }
            let rows = outcomes.map { outcome in
                [outcome.topic, "\(outcome.partition)",
                 outcome.errorCode == 0 ? "elected" : KafkaErrorCode(rawValue: outcome.errorCode).name, outcome.errorMessage ?? ""]
            }
            let table = Table(columns: ["TOPIC", "PARTITION", "RESULT", "MESSAGE"], rows: rows)
            switch output.output {
            case .text:
                print(rows.isEmpty ? "no partition needed an election" : table.renderText(), terminator: rows.isEmpty ? "\n" : "")
            case .json:
                print(table.renderJSON(), terminator: "")
            }
            let failed = outcomes.contains { $0.errorCode != 0 && $0.errorCode != KafkaErrorCode.electionNotNeeded.rawValue }
            if failed { throw ExitCode(1) }
        }
    }
}
