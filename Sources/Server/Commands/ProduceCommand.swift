import ArgumentParser
import Foundation
import KafkaWire
import SluiceCompression
import SluiceKafkaClient
import SluiceKernel

/// `sluice produce TOPIC`: one record per input line.
struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce", abstract: "Produce one record per line of stdin (or --file).",
        discussion: """
            Records with a key go to the partition Kafka's default partitioner picks (murmur2);
            records without one are spread round-robin per batch. A summary goes to stderr.
            Examples: printf 'k1:hello\\nk2:world\\n' | sluice produce orders --key-separator :
                      sluice produce logs --file app.log --compression zstd --acks 1
            """)

    @OptionGroup var client: ClientOptions
    @Argument(help: "Topic to produce to.") var topic: String
    @Option(help: "Read lines from this file instead of stdin.") var file: String?
    @Option(help: "Split each line at the first SEPARATOR into key and value.") var keySeparator: String?
    @Option(help: "Produce every record to this partition.") var partition: Int32?
    @Option(name: .customLong("header"), help: "A header KEY=VALUE added to every record (repeatable).") var headers: [String] = []
    @Option(help: "Acknowledgements: all (-1), 1 or 0.") var acks: String = "all"
    @Option(help: "Batch compression: none, gzip, snappy, lz4 or zstd.") var compression: String = "none"
    @Option(help: "Records per batch at most.") var batchSize: Int = 1000
    @Option(help: "Milliseconds a partly filled batch waits for more lines.") var lingerMs: Int = 5

    func validate() throws {
        guard ["all", "-1", "0", "1"].contains(acks) else { throw ValidationError("--acks must be all, -1, 1 or 0") }
        guard BatchCodec.named(compression) != nil else { throw ValidationError("--compression must be none, gzip, snappy, lz4 or zstd") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
        guard lingerMs >= 0 else { throw ValidationError("--linger-ms must not be negative") }
        if let keySeparator, keySeparator.isEmpty { throw ValidationError("--key-separator must not be empty") }
    }

    enum Event: Sendable { case line([UInt8]), tick, end, failed(String) }

    func run() async throws {
        let headers = try parsePairs(self.headers, option: "--header").sorted { $0.key < $1.key }
            .map { Record.Header(key: $0.key, value: Array($0.value.utf8)) }
        let acks: Int16 = acks == "all" ? -1 : Int16(acks)!
        let codec = BatchCodec.named(compression)!
        let input: UnsafeMutablePointer<FILE>
        if let file {
            guard let opened = fopen(file, "r") else { throw CLIError("cannot read --file \(file): \(String(cString: strerror(errno)))") }
            input = opened
        } else {
            guard let standardInput = fdopen(STDIN_FILENO, "r") else { throw CLIError("cannot read stdin") }
            input = standardInput
        }
        let kafka = try await client.connect()
        let topic = self.topic
        let partitions = try await client.bounded("metadata") { try await kafka.partitions(of: topic, autoCreate: true) }
        let partitionCount = Int32(partitions.count)
        if let partition, !(0..<partitionCount).contains(partition) {
            throw CLIError("topic '\(topic)' has partitions 0-\(partitionCount - 1); --partition \(partition) does not exist")
        }

        let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingOldest(100_000))
        let readerInput = UncheckedBox(input)
        let reader = Thread {
            var line: UnsafeMutablePointer<CChar>? = nil
            var capacity = 0
            while true {
                let count = getline(&line, &capacity, readerInput.value)
                if count < 0 { break }
                var length = count
                if length > 0 && line![length - 1] == 10 { length -= 1 }
                let bytes = line!.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
                while case .dropped = continuation.yield(.line(bytes)) { usleep(1000) }
            }
            free(line)
            continuation.yield(.end)
        }
        reader.start()
        let linger = lingerMs
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(max(linger, 1)))
                continuation.yield(.tick)
            }
        }
        defer { ticker.cancel() }

        let started = ContinuousClock.now
        var pending: [Int32: (records: [Record], bytes: Int, since: ContinuousClock.Instant)] = [:]
        var roundRobin: Int32 = 0
        var total = 0, totalBytes = 0
        let separator = keySeparator.map { Array($0.utf8) }

        func flush(_ index: Int32) async throws {
            guard let batch = pending.removeValue(forKey: index), !batch.records.isEmpty else { return }
            let buffer = try RecordBatchBuilder().build(batch.records, compression: codec).buffer
            do {
                _ = try await client.bounded("produce") {
                    try await kafka.produce(topic: topic, partition: index, batches: buffer, acks: acks)
                }
            } catch let error as KafkaClientError {
                throw CLIError("\(error)")
            }
            total += batch.records.count
        }

        loop: for await event in events {
            switch event {
            case .line(let bytes):
                var key: [UInt8]? = nil
                var value = bytes
                if let separator, let range = firstRange(of: separator, in: bytes) {
                    key = Array(bytes[..<range.lowerBound])
                    value = Array(bytes[range.upperBound...])
                }
                let target: Int32
                if let partition {
                    target = partition
                } else if let key {
                    target = KeyPartitioner.partition(forKey: key, partitions: partitionCount)
                } else {
                    target = roundRobin
                }
                let now = ContinuousClock.now
                var batch = pending[target] ?? ([], 0, now)
                batch.records.append(Record(key: key, value: value, headers: headers,
                                            timestamp: Int64(Date().timeIntervalSince1970 * 1000)))
                batch.bytes += bytes.count
                totalBytes += (key?.count ?? 0) + value.count
                pending[target] = batch
                if batch.records.count >= batchSize || batch.bytes >= 512 * 1024 {
                    try await flush(target)
                    if key == nil { roundRobin = (roundRobin + 1) % partitionCount }
                }
            case .tick:
                let now = ContinuousClock.now
                for (index, batch) in pending where now - batch.since >= .milliseconds(linger) {
                    try await flush(index)
                    if partition == nil { roundRobin = (roundRobin + 1) % partitionCount }
                }
            case .end:
                for index in pending.keys.sorted() { try await flush(index) }
                break loop
            case .failed(let message):
                throw CLIError(message)
            }
        }
        if file != nil { fclose(input) }
        await kafka.close()
        let seconds = secondsSince(started)
        printError("produced \(total) records (\(totalBytes) bytes) to \(topic) in "
                   + String(format: "%.3fs (%.0f records/s)", seconds, seconds > 0 ? Double(total) / seconds : 0))
    }
}

func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    (ContinuousClock.now - start).seconds
}

struct UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
    guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if Array(haystack[start..<start + needle.count]) == needle { return start..<start + needle.count }
    }
    return nil
}

