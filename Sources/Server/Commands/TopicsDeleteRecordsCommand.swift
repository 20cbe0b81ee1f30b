import ArgumentParser
import Foundation
import KafkaWire
import SluiceKafkaClient

extension TopicsCommand {
    /// `sluice topics delete-records TOPIC --before OFFSET [--partition N]`: Kafka's
    /// DeleteRecords, sent to each partition's leader.
    struct DeleteRecords: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete-records",
            abstract: "Delete the records before an offset (moves the log start; consumers from the beginning start there).",
            discussion: """
                --before -1 deletes up to the high watermark (everything written so far).
                Prints each partition's new low watermark (log start).
                Example: sluice topics delete-records orders --before 1000 --partition 0
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Topic name.") var name: String
        @Option(parsing: .unconditional, help: "Delete the records before this offset (-1: the high watermark).") var before: Int64
        @Option(help: "Only this partition (default: every partition of the topic).") var partition: Int32?

        func validate() throws {
            if before < -1 { throw ValidationError("--before must be an offset (0 or more) or -1 for the high watermark") }
        }

        func run() async throws {
            let kafka = try await client.connect()
            defer { Task { await kafka.close() } }
            let (name, before, only) = (self.name, self.before, self.partition)
            let partitions = try await client.bounded("describe topic") { try await kafka.partitions(of: name) }
                .filter { only == nil || $0.partitionIndex == only }
            if partitions.isEmpty {
                printError("topic \(name) has no partition \(only.map(String.init) ?? "")")
                throw ExitCode(1)
            }
            let brokers = try await client.bounded("metadata") { try await kafka.metadata(topics: [name]) }.brokers
            var leaders = BrokerConnections(client: client, bootstrap: kafka, brokers: brokers)
            defer { Task { [leaders] in await leaders.close() } }
            var rows: [[String]] = []
            for partition in partitions.sorted(by: { $0.partitionIndex < $1.partitionIndex }) {
                let index = partition.partitionIndex
                guard let leader = try await leaders.connection(to: partition.leaderId) else {
                    printError("partition \(index) of \(name) has no leader now; retry")
                    throw ExitCode(1)
                }
                let low = try await client.bounded("delete records of \(name)-\(index)") {
                    try await leader.deleteRecords(topic: name, before: [index: before])
                }
                rows.append(["\(index)", "\(low[index] ?? -1)"])
            }
            print(Table(columns: ["PARTITION", "LOW WATERMARK"], rows: rows).render(output.output), terminator: "")
        }
    }
}
