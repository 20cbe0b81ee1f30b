import ArgumentParser
import Dispatch
import Foundation
import KafkaWire
import NIOCore
import SluiceCompression
import SluiceKafkaClient
import SluiceKernel

/// Options of the benchmarks that talk to a running broker.
struct BenchLoadOptions: ParsableArguments {
    @Option(help: "Topic to use (created with --partitions if missing).") var topic = "sluice-bench"
    @Option(help: "Records to send or read in all.") var records = 100_000
    @Option(help: "Stop after this many seconds even if --records is not reached.") var seconds: Double?
    @Option(help: "Bytes per record value.") var recordSize = 100
    @Option(help: "Partitions of a topic the bench creates.") var partitions: Int32 = 1
    @Option(help: "Acknowledgements: all (-1), 1 or 0.") var acks = "all"
    @Option(help: "Batch compression: none, gzip, snappy, lz4 or zstd.") var compression = "none"
    @Option(help: "Connections working at once (each its own producer or consumer).") var concurrency = 1
    @Option(help: "Records per produce request.") var batchRecords = 500
    @Option(help: "Produce at most this many records per second in all (0: as fast as acknowledged), for latency at a fixed load.")
    var rate: Double = 0
    @Flag(help: "Print the results as JSON on stdout.") var json = false

    func validate() throws {
        guard records > 0 else { throw ValidationError("--records must be at least 1") }
        guard recordSize >= 8 else { throw ValidationError("--record-size must be at least 8 (the value carries a send timestamp)") }
        guard partitions > 0, concurrency > 0, batchRecords > 0 else {
            throw ValidationError("--partitions, --concurrency and --batch-records must be at least 1")
        }
        guard ["all", "-1", "0", "1"].contains(acks) else { throw ValidationError("--acks must be all, -1, 1 or 0") }
        guard BatchCodec.named(compression) != nil else { throw ValidationError("--compression must be none, gzip, snappy, lz4 or zstd") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
    }

    var acksValue: Int16 { acks == "all" ? -1 : Int16(acks)! }
    var codec: RecordBatch.Compression { BatchCodec.named(compression)! }
    var settings: [String: String] {
        ["topic": topic, "record size": "\(recordSize)", "partitions": "\(partitions)", "acks": acks,
         "compression": compression, "concurrency": "\(concurrency)", "batch records": "\(batchRecords)",
         "rate": rate > 0 ? "\(Int(rate))/s" : "unlimited"]
    }
}

/// Hands out record quotas to concurrent workers until the count or the time is used up,
/// and counts what was done for the progress line.
actor BenchBudget {
    private var remaining: Int
    private let deadline: ContinuousClock.Instant?
    private(set) var done = 0
    private(set) var doneBytes = 0

    init(records: Int, seconds: Double?) {
        remaining = records
        deadline = seconds.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
    }

    /// Up to `wanted` records for one request; 0 when the run is over.
    func take(_ wanted: Int) -> Int {
        if let deadline, ContinuousClock.now >= deadline { return 0 }
        let granted = min(wanted, remaining)
        remaining -= granted
        return granted
    }

    var expired: Bool { deadline.map { ContinuousClock.now >= $0 } ?? false }
    /// True once every record of the count was handed out.
    var exhausted: Bool { remaining == 0 }

    func add(records: Int, bytes: Int) {
        done += records
        doneBytes += bytes
    }
}

extension BenchLoadOptions {
    /// The topic's partition count, creating it with `partitions` if missing.
    func prepareTopic(_ kafka: KafkaClient, client: ClientOptions) async throws -> Int32 {
        let (topic, partitions) = (self.topic, self.partitions)
        let response = try await client.bounded("metadata") { try await kafka.metadata(topics: [topic]) }
        if let found = response.topics.first(where: { $0.name == topic }), found.errorCode == 0 {
            return Int32(found.partitions.count)
        }
        try await client.bounded("create topic") { try await kafka.createTopic(topic, partitions: partitions) }
        return partitions
    }

    /// A record value of `recordSize` bytes whose first 8 carry `DispatchTime` nanoseconds
    /// (big-endian), for end-to-end latency; the rest is text, as log lines are.
    func value(stamped: UInt64) -> [UInt8] {
        var bytes = withUnsafeBytes(of: stamped.bigEndian, Array.init)
        let filler = Array("sluice bench record 0123456789 abcdefghijklmnopqrstuvwxyz ".utf8)
        while bytes.count < recordSize { bytes.append(filler[bytes.count % filler.count]) }
        return bytes
    }

    /// Shows records/s on a terminal every second until cancelled.
    func progress(_ budget: BenchBudget, started: ContinuousClock.Instant, line: ProgressLine) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let done = await budget.done
                let seconds = secondsSince(started)
                line.show(String(format: "%d records, %.0f records/s, %.1f s", done, seconds > 0 ? Double(done) / seconds : 0, seconds))
            }
        }
    }

    func report(_ result: BenchResult) {
        print(json ? result.json() : result.text(), terminator: "")
    }

    /// Each partition's earliest or latest offset, where a consumer run starts reading.
    func startOffsets(_ kafka: KafkaClient, client: ClientOptions, partitions: [Int32],
                      _ which: OffsetSpec) async throws -> [Int32: Int64] {
        var start: [Int32: Int64] = [:]
        for partition in partitions {
            start[partition] = try await client.bounded("list offsets") { try await kafka.listOffset(topic: topic, partition: partition, which) }.offset
        }
        return start
    }

    /// Runs `load` with the progress line over `budget`, times it and prints the report.
    func measure(_ mode: String, budget: BenchBudget, latencyMeaning: String,
                 _ load: () async throws -> (records: Int, bytes: Int, latency: LatencySummary)) async throws {
        let line = ProgressLine()
        let started = ContinuousClock.now
        let progress = progress(budget, started: started, line: line)
        defer {
            progress.cancel()
            line.finish()
        }
        let result = try await load()
        report(BenchResult(mode: mode, settings: settings, records: result.records, bytes: result.bytes,
                           seconds: secondsSince(started), latency: result.latency, latencyMeaning: latencyMeaning))
    }
}

/// Produces as fast as the broker acknowledges, `concurrency` connections at once.
func runProduceLoad(_ load: BenchLoadOptions, client: ClientOptions, budget: BenchBudget,
                    partitionCount: Int32) async throws -> (records: Int, bytes: Int, latency: LatencySummary) {
    try await withThrowingTaskGroup(of: (Int, Int, LatencySummary).self) { group in
        for worker in 0..<load.concurrency {
            group.addTask {
                let kafka = try await client.connect()
                defer { Task { await kafka.close() } }
                var latency = LatencySummary()
                var records = 0, bytes = 0
                var partition = Int32(worker) % partitionCount
                let template = load.value(stamped: 0)
                // With --rate, request k of this worker leaves at start + k × interval.
                let interval = load.rate > 0 ? Double(load.batchRecords * load.concurrency) / load.rate : 0
                let paceStart = ContinuousClock.now
                var requestsSent = 0
                while true {
                    if interval > 0 {
                        let due = paceStart + .seconds(interval * Double(requestsSent))
                        if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
                        requestsSent += 1
                    }
                    let count = await budget.take(load.batchRecords)
                    if count == 0 { break }
                    let now = Int64(Date().timeIntervalSince1970 * 1000)
                    let batch = (0..<count).map { _ in
                        var value = template
                        withUnsafeBytes(of: DispatchTime.now().uptimeNanoseconds.bigEndian) { value.replaceSubrange(0..<8, with: $0) }
                        return Record(key: nil, value: value, timestamp: now)
                    }
                    let buffer = try RecordBatchBuilder().build(batch, compression: load.codec).buffer
                    let (target, acks) = (partition, load.acksValue)
                    let sent = DispatchTime.now().uptimeNanoseconds
                    _ = try await client.bounded("produce") {
                        try await kafka.produce(topic: load.topic, partition: target, batches: buffer, acks: acks)
                    }
                    latency.record(DispatchTime.now().uptimeNanoseconds - sent)
                    records += count
                    bytes += count * load.recordSize
                    await budget.add(records: count, bytes: count * load.recordSize)
                    partition = (partition + Int32(load.concurrency)) % partitionCount
                }
                return (records, bytes, latency)
            }
        }
        var total = (records: 0, bytes: 0, latency: LatencySummary())
        for try await (records, bytes, latency) in group {
            total.records += records
            total.bytes += bytes
            total.latency.merge(latency)
        }
        return total
    }
}

/// Reads partitions from `start` until the budget is used up or (when `stopAtEnd`) every
/// partition's end is reached; records per-fetch latency, or with `endToEnd` the latency
/// from each record's send stamp to its arrival.
func runConsumeLoad(_ load: BenchLoadOptions, client: ClientOptions, budget: BenchBudget, partitions: [Int32],
                    start: [Int32: Int64], stopAtEnd: Bool, endToEnd: Bool) async throws -> (records: Int, bytes: Int, latency: LatencySummary) {
    let workers = min(load.concurrency, partitions.count)
    return try await withThrowingTaskGroup(of: (Int, Int, LatencySummary).self) { group in
        for worker in 0..<workers {
            let mine = partitions.enumerated().filter { $0.offset % workers == worker }.map(\.element)
            group.addTask {
                let kafka = try await client.connect()
                defer { Task { await kafka.close() } }
                var latency = LatencySummary()
                var positions = start.filter { mine.contains($0.key) }
                var records = 0, bytes = 0
                var atEnd = Set<Int32>()
                reading: while true {
                    if await budget.expired { break }
                    if await budget.exhausted { break }
                    for partition in mine {
                        let from = positions[partition]!
                        let asked = DispatchTime.now().uptimeNanoseconds
                        let fetched = try await client.bounded("fetch") {
                            try await kafka.fetch(topic: load.topic, partition: partition, offset: from, maxWaitMs: 100)
                        }
                        let arrived = DispatchTime.now().uptimeNanoseconds
                        let decoded = try fetched.decodedRecords().filter { $0.offset >= from }
                        if !endToEnd && !decoded.isEmpty { latency.record(arrived - asked) }
                        let granted = decoded.isEmpty ? 0 : await budget.take(decoded.count)
                        var got = 0
                        for record in decoded.prefix(granted) {
                            if endToEnd, let value = record.value, value.count >= 8 {
                                let stamp = value.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                                if arrived > stamp { latency.record(arrived - stamp) }
                            }
                            got += record.value?.count ?? 0
                            positions[partition] = record.offset + 1
                        }
                        records += granted
                        bytes += got
                        await budget.add(records: granted, bytes: got)
                        if granted < decoded.count { break reading }
                        if positions[partition]! >= fetched.highWatermark { atEnd.insert(partition) } else { atEnd.remove(partition) }
                    }
                    if stopAtEnd && atEnd.count == mine.count { break }
                }
                return (records, bytes, latency)
            }
        }
        var total = (records: 0, bytes: 0, latency: LatencySummary())
        for try await (records, bytes, latency) in group {
            total.records += records
            total.bytes += bytes
            total.latency.merge(latency)
        }
        return total
    }
}

extension BenchCommand {
    struct Produce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Produce records to a running broker as fast as it acknowledges them.",
            discussion: """
                Latency is per produce request (send to acknowledgement).
                Example: sluice bench produce --records 1000000 --record-size 100 --partitions 4 --concurrency 4
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var load: BenchLoadOptions

        func run() async throws {
            let kafka = try await client.connect()
            let partitionCount = try await load.prepareTopic(kafka, client: client)
            await kafka.close()
            let budget = BenchBudget(records: load.records, seconds: load.seconds)
            try await load.measure("produce", budget: budget, latencyMeaning: "per produce request") {
                try await runProduceLoad(load, client: client, budget: budget, partitionCount: partitionCount)
            }
        }
    }

    struct Consume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a topic from its earliest offsets as fast as the broker serves it.",
            discussion: """
                Reads up to --records records (stopping at the end of the data); fill the topic
                first with `sluice bench produce`. Latency is per fetch request that returned data.
                Example: sluice bench produce --records 1000000 && sluice bench consume --records 1000000
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var load: BenchLoadOptions

        func run() async throws {
            let kafka = try await client.connect()
            let partitions = try await client.bounded("metadata") { try await kafka.partitions(of: load.topic) }.map(\.partitionIndex)
            let start = try await load.startOffsets(kafka, client: client, partitions: partitions, .earliest)
            await kafka.close()
            let budget = BenchBudget(records: load.records, seconds: load.seconds)
            try await load.measure("consume", budget: budget, latencyMeaning: "per fetch with data") {
                try await runConsumeLoad(load, client: client, budget: budget, partitions: partitions, start: start,
                                         stopAtEnd: true, endToEnd: false)
            }
        }
    }

    struct EndToEnd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "e2e",
            abstract: "Produce and consume at once; latency from send to a consumer receiving each record.",
            discussion: """
                Each value carries its send time; the consumer (long-polling fetches) measures the
                time until it holds the record. Throughput counts records received.
                Example: sluice bench e2e --records 100000 --batch-records 10
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var load: BenchLoadOptions

        func run() async throws {
            let kafka = try await client.connect()
            let partitionCount = try await load.prepareTopic(kafka, client: client)
            let partitions = Array(0..<partitionCount)
            let start = try await load.startOffsets(kafka, client: client, partitions: partitions, .latest)
            await kafka.close()
            let sending = BenchBudget(records: load.records, seconds: load.seconds)
            let receiving = BenchBudget(records: load.records, seconds: load.seconds.map { $0 + load.timeoutAfterProducing })
            try await load.measure("e2e", budget: receiving, latencyMeaning: "send to consumer receipt") {
                async let consumed = runConsumeLoad(load, client: client, budget: receiving, partitions: partitions, start: start,
                                                    stopAtEnd: false, endToEnd: true)
                let produced = try await runProduceLoad(load, client: client, budget: sending, partitionCount: partitionCount)
                // Every record produced must arrive; the consumers stop when the receiving budget
                // is used up, which is exactly the produced count when --seconds cut production short.
                if produced.records < load.records {
                    _ = await receiving.take(load.records - produced.records)
                }
                return try await consumed
            }
        }
    }
}

extension BenchLoadOptions {
    /// Seconds the e2e consumer keeps reading after a --seconds run stops producing.
    var timeoutAfterProducing: Double { 10 }
}
