import ArgumentParser
import Foundation
import KafkaWire
import NIOCore
import SluiceKafkaClient
import SluiceKernel

extension BenchCommand {
    /// `sluice bench transactions`: what transactions cost against a running broker.
    struct Transactions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "transactions",
            abstract: "Transactional vs idempotent produce, read_committed vs read_uncommitted consume, EndTxn latency.",
            discussion: """
                On one connection: --records records produced idempotently (producer id and
                sequences, no transaction) to one new topic, then the same number produced in
                transactions of --records-per-transaction records (AddPartitionsToTxn, the
                batches, EndTxn commit) to another; then the transactional topic read from the
                start to its end four times, read_uncommitted, read_committed, read_committed,
                read_uncommitted (each level's figure is the mean of its two passes, so neither
                gains from going first). --transactional-first swaps both orders (transactional
                produce first, read_committed first): alternate it between runs. Prints
                records/s of each and the EndTxn latency percentiles (milliseconds).
                Example: sluice bench transactions --records 200000 --records-per-transaction 10000 --json
                """)

        @OptionGroup var client: ClientOptions
        @Option(help: "Records produced in each mode.") var records = 100_000
        @Option(help: "Records per transaction.") var recordsPerTransaction = 1000
        @Option(help: "Records per produce request.") var batchRecords = 500
        @Option(help: "Bytes per record value.") var recordSize = 100
        @Flag(help: "Produce transactionally first and read read_committed first (alternate between runs).")
        var transactionalFirst = false
        @Flag(help: "Print the results as JSON on stdout.") var json = false

        func validate() throws {
            guard records > 0, recordsPerTransaction > 0, batchRecords > 0, recordSize > 0 else {
                throw ValidationError("--records, --records-per-transaction, --batch-records and --record-size must be at least 1")
            }
        }

        func run() async throws {
            let kafka = try await client.connect()
            let run = UUID().uuidString.prefix(8).lowercased()
            let (idempotentTopic, transactionalTopic) = ("bench-idem-\(run)", "bench-txn-\(run)")
            for topic in [idempotentTopic, transactionalTopic] {
                try await client.bounded("create topic") { try await kafka.createTopic(topic, partitions: 1) }
            }
            let value = [UInt8](repeating: UInt8(ascii: "x"), count: recordSize)

            func produceIdempotently() async throws -> Double {
                try await client.bounded("idempotent produce", seconds: 3600) { () async throws -> Double in
                    let (producerId, epoch) = try await kafka.initProducerId()
                    var sequence: Int32 = 0
                    let started = ContinuousClock.now
                    var sent = 0
                    while sent < records {
                        let count = min(batchRecords, records - sent)
                        try await kafka.produce(topic: idempotentTopic, partition: 0, batches: Self.batch(
                            count, value: value, producerId: producerId, epoch: epoch, sequence: sequence, transactional: false))
                        sequence &+= Int32(count)
                        sent += count
                    }
                    return Double(sent) / secondsSince(started)
                }
            }

            let transactionalId = "sluice-bench-\(run)"
            func produceTransactionally() async throws -> (Double, LatencySummary) {
                try await client.bounded("transactional produce", seconds: 3600) { () async throws -> (Double, LatencySummary) in
                    let (producerId, epoch) = try await kafka.initProducerId(transactionalId: transactionalId)
                    var sequence: Int32 = 0
                    var latency = LatencySummary()
                    let started = ContinuousClock.now
                    var sent = 0
                    while sent < records {
                        try await kafka.addPartitionsToTxn(transactionalId: transactionalId, producerId: producerId, epoch: epoch,
                                                           partitions: [transactionalTopic: [0]])
                        let inThis = min(recordsPerTransaction, records - sent)
                        var done = 0
                        while done < inThis {
                            let count = min(batchRecords, inThis - done)
                            try await kafka.produce(topic: transactionalTopic, partition: 0, batches: Self.batch(
                                count, value: value, producerId: producerId, epoch: epoch, sequence: sequence, transactional: true))
                            sequence &+= Int32(count)
                            done += count
                        }
                        let ending = DispatchTime.now().uptimeNanoseconds
                        try await kafka.endTxn(transactionalId: transactionalId, producerId: producerId, epoch: epoch, commit: true)
                        latency.record(DispatchTime.now().uptimeNanoseconds - ending)
                        sent += inThis
                    }
                    return (Double(sent) / secondsSince(started), latency)
                }
            }

            let idempotent: Double
            let (transactional, endTxn): (Double, LatencySummary)
            if transactionalFirst {
                (transactional, endTxn) = try await produceTransactionally()
                idempotent = try await produceIdempotently()
            } else {
                idempotent = try await produceIdempotently()
                (transactional, endTxn) = try await produceTransactionally()
            }

            // A-B-B-A: each level read once early and once late, so warm caches and a
            // noisy neighbour weigh on both alike.
            let first: IsolationLevel = transactionalFirst ? .readCommitted : .readUncommitted
            let second: IsolationLevel = transactionalFirst ? .readUncommitted : .readCommitted
            var passes: [IsolationLevel: [Double]] = [:]
            for isolation in [first, second, second, first] {
                passes[isolation, default: []].append(try await client.bounded("consume", seconds: 3600) { () async throws -> Double in
                    let end = try await kafka.listOffset(topic: transactionalTopic, partition: 0, .latest, isolationLevel: isolation).offset
                    var offset: Int64 = 0
                    var read = 0
                    let started = ContinuousClock.now
                    while offset < end {
                        let fetched = try await kafka.fetch(topic: transactionalTopic, partition: 0, offset: offset,
                                                            maxWaitMs: 0, isolationLevel: isolation)
                        let all = try RecordBatch.parse(fetched.batches, verifyCRC: true)
                        guard let last = all.last else { throw CLIError("fetch at \(offset) returned nothing below \(end)") }
                        read += try fetched.visibleBatches().filter { $0.lastOffset >= offset }.reduce(0) { $0 + Int($1.recordCount) }
                        offset = last.lastOffset + 1
                    }
                    guard read == records else { throw CLIError("\(isolation) read \(read) records, expected \(records)") }
                    return Double(read) / secondsSince(started)
                })
            }
            let consume = passes.mapValues { $0.reduce(0, +) / Double($0.count) }
            await kafka.close()

            let endTxnMs = Dictionary(uniqueKeysWithValues: endTxn.milliseconds().map { ($0.name, $0.value) })
            let figures: [(String, Double)] = [
                ("idempotent produce records/s", idempotent),
                ("transactional produce records/s", transactional),
                ("transactional / idempotent", transactional / idempotent),
                ("read_uncommitted consume records/s", consume[.readUncommitted]!),
                ("read_committed consume records/s", consume[.readCommitted]!),
                ("read_committed / read_uncommitted", consume[.readCommitted]! / consume[.readUncommitted]!),
                ("EndTxn p50 ms", endTxnMs["p50"] ?? 0),
                ("EndTxn p99 ms", endTxnMs["p99"] ?? 0),
            ]
            if json {
                var object: [String: Any] = ["recordsPerTransaction": recordsPerTransaction, "records": records]
                for (name, value) in figures { object[name] = value }
                print(jsonText(object), terminator: "")
            } else {
                print("\(records) records of \(recordSize) B, \(recordsPerTransaction) per transaction")
                for (name, value) in figures { print(String(format: "%@: %.3f", name, value)) }
            }
        }

        /// One uncompressed batch of `count` records from the given producer and sequence.
        static func batch(_ count: Int, value: [UInt8], producerId: Int64, epoch: Int16, sequence: Int32,
                          transactional: Bool) -> ByteBuffer {
            var builder = RecordBatchBuilder()
            builder.producerId = producerId
            builder.producerEpoch = epoch
            builder.baseSequence = sequence
            builder.isTransactional = transactional
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            return builder.build((0..<count).map { _ in Record(value: value, timestamp: now) }).buffer
        }
    }
}
