import ArgumentParser
import Foundation
import KafkaWire
import SluiceKafkaClient

/// `sluice logdirs`: Kafka's DescribeLogDirs for the broker it connects to.
struct LogDirsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logdirs",
        abstract: "The broker's log directories: size of each partition, and the disk's total and usable bytes.",
        discussion: "Works against any Kafka-compatible broker. Example: sluice logdirs --output json")
    @OptionGroup var client: ClientOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let kafka = try await client.connect()
        defer { Task { await kafka.close() } }
        let dirs = try await client.bounded("describe log dirs") { try await kafka.describeLogDirs() }
        var rows: [[String]] = []
        for dir in dirs {
            let disk = dir.totalBytes < 0 ? "-" : "\(dir.usableBytes)/\(dir.totalBytes)"
            if dir.partitionSizes.isEmpty { rows.append([dir.path, "-", "-", "-", disk]) }
            for topic in dir.partitionSizes.keys.sorted() {
                for (partition, size) in dir.partitionSizes[topic]!.sorted(by: { $0.key < $1.key }) {
                    rows.append([dir.path, topic, "\(partition)", "\(size)", disk])
                }
            }
        }
        let table = Table(columns: ["LOG DIR", "TOPIC", "PARTITION", "SIZE", "USABLE/TOTAL BYTES"], rows: rows)
        print(table.render(output.output), terminator: "")
    }
}
