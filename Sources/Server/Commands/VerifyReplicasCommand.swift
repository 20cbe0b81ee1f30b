import ArgumentParser
import Foundation
import KafkaWire
import SluiceKafkaClient
import SluiceKernel

extension TopicsCommand {
    /// `sluice topics verify-replicas`: reads every replica of every partition (Fetch with
    /// replica id -2, which any replica answers up to its high watermark, as Kafka's replica
    /// verification tool reads) and compares them batch by batch, byte for byte.
    struct VerifyReplicas: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-replicas",
            abstract: "Check that every replica of a topic's partitions holds the same records.",
            discussion: """
                Compares the replicas of each partition up to the lowest high watermark among
                them, batch by batch (offsets, leader epochs, records, CRC). Exit status 1 when
                any two replicas differ or a replica cannot be read.
                Example: sluice topics verify-replicas orders --bootstrap 127.0.0.1:9092
                """)
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var name: String

        func run() async throws {
            let kafka = try await client.connect()
            defer { Task { await kafka.close() } }
            let name = self.name
            let metadata = try await client.bounded("metadata") { try await kafka.metadata(topics: [name]) }
            guard let topic = metadata.topics.first, topic.errorCode == 0 else {
                throw CLIError("topic '\(name)' does not exist (sluice topics list shows the topics)")
            }
            var connections = BrokerConnections(client: client, bootstrap: kafka, brokers: metadata.brokers)
            var rows: [[String]] = []
            var failed = false
            for partition in topic.partitions.sorted(by: { $0.partitionIndex < $1.partitionIndex }) {
                var copies: [(broker: Int32, batches: [RecordBatch], highWatermark: Int64)] = []
                var problem: String?
                for replica in partition.replicaNodes {
                    do {
                        guard let connection = try await connections.connection(to: replica) else {
                            problem = "broker \(replica) is not live"
                            continue
                        }
                        let (batches, hw) = try await read(connection, topic: name, partition: partition.partitionIndex)
                        copies.append((replica, batches, hw))
                    } catch {
                        problem = "broker \(replica): \(error)"
                    }
                }
                let hw = copies.map(\.highWatermark).min() ?? 0
                let compared = copies.map { copy in copy.batches.filter { $0.lastOffset < hw } }
                if problem == nil, let first = compared.first {
                    for (index, other) in compared.enumerated().dropFirst() where other.map(\.buffer) != first.map(\.buffer) {
                        let at = zip(first, other).first { $0.buffer != $1.buffer }.map(\.0.baseOffset)
                            ?? (first.count > other.count ? first : other)[min(first.count, other.count)].baseOffset
                        problem = "broker \(copies[0].broker) and broker \(copies[index].broker) differ at offset \(at)"
                        break
                    }
                }
                failed = failed || problem != nil
                rows.append(["\(partition.partitionIndex)", partition.replicaNodes.map(String.init).joined(separator: ","),
                             "\(hw)", "\(compared.first?.count ?? 0)", problem ?? "identical"])
            }
            await connections.close()
            print(Table(columns: ["PARTITION", "REPLICAS", "HIGH WATERMARK", "BATCHES", "STATUS"], rows: rows).renderText(), terminator: "")
            if failed { throw ExitCode(1) }
        }

        /// Every batch of one replica below its high watermark, and that watermark.
        private func read(_ connection: KafkaClient, topic: String, partition: Int32) async throws -> ([RecordBatch], Int64) {
            var batches: [RecordBatch] = []
            var offset: Int64 = 0
            var highWatermark: Int64 = 0
            while true {
                let at = offset
                let fetched = try await client.bounded("fetch \(topic)-\(partition)") {
                    try await connection.fetch(topic: topic, partition: partition, offset: at, maxBytes: 4 << 20, maxWaitMs: 0, replicaId: -2)
                }
                highWatermark = fetched.highWatermark
                if at == 0 && fetched.logStartOffset > 0 { offset = fetched.logStartOffset }
                let parsed = try RecordBatch.parse(fetched.batches, verifyCRC: true)
                guard let last = parsed.last else { break }
                batches += parsed
                offset = last.baseOffset + Int64(last.lastOffsetDelta) + 1
                if offset >= highWatermark { break }
            }
            return (batches, highWatermark)
        }
    }
}
