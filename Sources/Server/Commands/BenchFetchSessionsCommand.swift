import ArgumentParser
import Foundation
import KafkaWire
import NIOCore
import SluiceKafkaClient
import SluiceKernel

extension BenchCommand {
    /// `sluice bench fetch-sessions`: one consumer of many partitions with little traffic,
    /// fetching with incremental fetch sessions (KIP-227) or with full requests each time.
    struct FetchSessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch-sessions",
            abstract: "Fetch many quiet partitions in a loop, with or without an incremental fetch session.",
            discussion: """
                One connection fetches every partition of --topic (created with --partitions if
                missing) --fetches times, each fetch answered at once (--max-wait-ms 0); a second
                connection produces one record every --produce-every fetches, to the partitions in
                turn. With sessions (default) the first fetch is full and the rest name only the
                partitions whose offset moved; with --no-sessions every fetch names them all.
                Measure the server's CPU around two runs to compare (scripts/bench does).
                Example: sluice bench fetch-sessions --partitions 1000 --fetches 2000 --no-sessions --json
                """)
        @OptionGroup var client: ClientOptions
        @Option(help: "Topic to read (created with --partitions if missing).") var topic = "sluice-bench-sessions"
        @Option(help: "Partitions of a topic the bench creates.") var partitions: Int32 = 1000
        @Option(help: "Fetch requests to send.") var fetches = 2000
        @Option(help: "Produce one record every this many fetches (0: none).") var produceEvery = 10
        @Option(help: "Milliseconds each fetch may wait for data.") var maxWaitMs: Int32 = 0
        @Flag(inversion: .prefixedNo, help: "Use an incremental fetch session.") var sessions = true
        @Flag(help: "Print the results as JSON on stdout.") var json = false

        func validate() throws {
            guard fetches > 0, partitions > 0, produceEvery >= 0, maxWaitMs >= 0 else {
                throw ValidationError("--fetches and --partitions must be positive, --produce-every and --max-wait-ms at least 0")
            }
        }

        func run() async throws {
            let consumer = try await client.connect()
            let producer = try await client.connect()
            defer { Task { await consumer.close(); await producer.close() } }
            var load = BenchLoadOptions()
            load.topic = topic
            load.partitions = partitions
            let count = try await load.prepareTopic(consumer, client: client)
            var offsets = [Int64](repeating: 0, count: Int(count))
            var moved = Set<Int32>()
            var session: (id: Int32, epoch: Int32)?
            var records = 0, answeredPartitions = 0, sessionErrors = 0
            let started = ContinuousClock.now
            for index in 0..<fetches {
                if produceEvery > 0, index % produceEvery == 0 {
                    let partition = Int32((index / produceEvery) % Int(count))
                    let value = Array("fetch-sessions \(index)".utf8)
                    _ = try await client.bounded("produce") {
                        try await producer.produce(topic: topic, partition: partition, records: [Record(value: value, timestamp: Int64(Date().timeIntervalSince1970 * 1000))], acks: 1)
                    }
                }
                var request = KafkaWire.FetchRequest()
                request.maxWaitMs = maxWaitMs
                request.minBytes = 0
                request.maxBytes = 50 << 20
                let named: [Int32]
                if sessions, let open = session {
                    request.sessionId = open.id
                    request.sessionEpoch = open.epoch
                    named = moved.sorted()
                } else {
                    request.sessionEpoch = sessions ? 0 : -1
                    named = Array(0..<count)
                }
                var spec = KafkaWire.FetchRequest.Topic()
                spec.topic = topic
                spec.partitions = named.map { partition in
                    var wanted = KafkaWire.FetchRequest.Partition()
                    wanted.partition = partition
                    wanted.fetchOffset = offsets[Int(partition)]
                    wanted.partitionMaxBytes = 1 << 20
                    return wanted
                }
                request.topics = named.isEmpty ? [] : [spec]
                let sent = request
                let response = try await client.bounded("fetch") { try await consumer.send(sent, version: 12) }
                guard response.errorCode == 0 else {
                    // A session error: start again with a full fetch, as clients do.
                    sessionErrors += 1
                    session = nil
                    continue
                }
                moved.removeAll()
                if sessions {
                    session = response.sessionId > 0 ? (response.sessionId, FetchSessionEpoch.next(session?.epoch ?? 0)) : nil
                }
                for partition in response.responses.flatMap(\.partitions) {
                    answeredPartitions += 1
                    guard partition.errorCode == 0, let data = partition.records, data.byteCount > 0 else { continue }
                    for batch in try RecordBatch.parse(try data.load()) where batch.lastOffset >= offsets[Int(partition.partitionIndex)] {
                        records += Int(batch.recordCount)
                        offsets[Int(partition.partitionIndex)] = batch.lastOffset + 1
                        moved.insert(partition.partitionIndex)
                    }
                }
            }
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            if json {
                let report: [String: Any] = [
                    "sessions": sessions, "partitions": Int(count), "fetches": fetches, "seconds": seconds,
                    "fetchesPerSecond": Double(fetches) / seconds, "records": records,
                    "partitionsPerResponse": Double(answeredPartitions) / Double(fetches), "sessionErrors": sessionErrors,
                ]
                let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("\(fetches) fetches of \(count) partitions \(sessions ? "with a fetch session" : "without sessions") "
                      + "in \(String(format: "%.2f", seconds)) s (\(Int(Double(fetches) / seconds)) fetches/s), \(records) records, "
                      + "\(String(format: "%.1f", Double(answeredPartitions) / Double(fetches))) partitions per response, "
                      + "\(sessionErrors) session errors")
            }
        }
    }
}

/// The epochs of a fetch session as a client counts them (KIP-227): 1, 2, … after the
/// full fetch, wrapping from `Int32.max` to 1.
enum FetchSessionEpoch {
    static func next(_ epoch: Int32) -> Int32 { epoch == .max ? 1 : epoch + 1 }
}
