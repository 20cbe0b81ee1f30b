import ArgumentParser
import Dispatch
import Foundation
import KafkaWire
import SluiceCompression
import SluiceKafkaClient
import SluiceKernel

/// `sluice consume TOPIC`: prints records, one per line by default.
struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume", abstract: "Print a topic's records.",
        discussion: """
            Starts at the end of each partition (only new records) unless told otherwise.
            With --group ID it joins the consumer group like any Kafka consumer (range or
            roundrobin assignment, shared with Java, librdkafka or kafka-python members),
            reads only the partitions assigned to it, starts at the group's committed offsets
            (--from-beginning, --offset or --timestamp apply where nothing is committed),
            commits as it goes and on Ctrl-C, and leaves the group on exit.
            Compressed batches (gzip, snappy, lz4, zstd) are decompressed.
            --isolation read_committed reads only committed transactional records, up to each
            partition's last stable offset, and skips aborted ones (Kafka's isolation.level);
            the default, read_uncommitted, reads everything up to the high watermark.
            --format placeholders (kcat's -f): %t topic, %p partition, %o offset, %k key,
            %s value, %T timestamp (ms), %h headers, %S value size, %K key size, \\n, \\t.
            Examples: sluice consume orders --from-beginning --exit-at-end --format '%p:%o %k=%s\\n'
                      sluice consume orders --group billing
                      sluice consume payments --isolation read_committed --from-beginning
            """)

    @OptionGroup var client: ClientOptions
    @Argument(help: "Topic to consume.") var topic: String
    @Flag(help: "Start at the earliest offset of each partition.") var fromBeginning = false
    @Option(help: "Start at N, earliest or latest.") var offset: String?
    @Option(help: "Only this partition (not with --group).") var partition: Int32?
    @Option(help: "Start at the first record at or after this time (milliseconds since the epoch).") var timestamp: Int64?
    @Option(help: "Join this consumer group: consume its assigned partitions and commit offsets.") var group: String?
    @Option(help: "Stop after this many records.") var maxMessages: Int?
    @Flag(help: "Stop once every partition's end (as of the last fetch) is reached.") var exitAtEnd = false
    @Option(help: "Output format per record, kcat-style (default: the value and a newline).") var format: String?
    @Flag(help: "Print the key and a tab before the value (when --format is not given).") var printKey = false
    @Option(help: "read_uncommitted (default: every record) or read_committed (only committed transactional records).")
    var isolation: Isolation = .readUncommitted

    /// `--isolation`, spelled as Kafka's `isolation.level` values.
    enum Isolation: String, ExpressibleByArgument, CaseIterable {
        case readUncommitted = "read_uncommitted"
        case readCommitted = "read_committed"

        var level: IsolationLevel { self == .readCommitted ? .readCommitted : .readUncommitted }
    }

    func validate() throws {
        let starts = [fromBeginning, offset != nil, timestamp != nil].filter { $0 }.count
        if starts > 1 { throw ValidationError("give one of --from-beginning, --offset, --timestamp") }
        if let offset, !["earliest", "latest"].contains(offset), Int64(offset).map({ $0 < 0 }) ?? true {
            throw ValidationError("--offset must be a non-negative number, earliest or latest")
        }
        if let format { _ = try RecordFormat(parsing: format) }
        if let maxMessages, maxMessages < 0 { throw ValidationError("--max-messages must not be negative") }
        if group != nil && partition != nil {
            throw ValidationError("--partition cannot be used with --group: a group member consumes the partitions the group assigns it")
        }
    }

    func run() async throws {
        let recordFormat: RecordFormat = try format.map { try RecordFormat(parsing: $0) }
            ?? RecordFormat(pieces: printKey ? [.key, .literal("\t"), .value, .literal("\n")] : [.value, .literal("\n")])
        let kafka = try await client.connect()
        let topic = self.topic
        let isolation = self.isolation.level
        let all = try await client.bounded("metadata") { try await kafka.partitions(of: topic) }.map(\.partitionIndex)
        let interrupted = InterruptFlag()

        var member: GroupMember?
        var selected = all
        if let group {
            let joining = GroupMember(options: client, kafka: kafka, group: group, topic: topic)
            selected = try await joining.join()
            member = joining
            printError("joined group \(group) as \(joining.memberId) (generation \(joining.generation), \(joining.protocolName)): partitions \(selected)")
        } else if let partition {
            guard all.contains(partition) else {
                throw CLIError("topic '\(topic)' has partitions 0-\(all.count - 1); --partition \(partition) does not exist")
            }
            selected = [partition]
        }

        var positions = try await startPositions(kafka, selected)
        var lastCommitted = positions
        func commit() async throws {
            guard let member else { return }
            let changed = positions.filter { lastCommitted[$0.key] != $0.value }
            guard !changed.isEmpty else { return }
            if try await member.commit(changed) { lastCommitted.merge(changed) { $1 } }
        }

        var printed = 0
        var atEnd = Set<Int32>()
        consuming: while !interrupted.isSet {
            if let maxMessages, printed >= maxMessages { break }
            if let member, try await member.heartbeatIfDue() {
                try await commit()
                selected = try await member.join()
                printError("rebalanced group \(member.group) (generation \(member.generation)): partitions \(selected)")
                positions = try await startPositions(kafka, selected)
                lastCommitted = positions
                atEnd = []
            }
            if selected.isEmpty {
                if exitAtEnd { break }
                try? await Task.sleep(for: .milliseconds(200))
                continue
            }
            let waitMs: Int32 = selected.count > 1 ? 100 : 500
            for index in selected {
                if interrupted.isSet { break consuming }
                let from = positions[index]!
                let fetched: FetchedPartition
                do {
                    fetched = try await client.bounded("fetch") {
                        try await kafka.fetch(topic: topic, partition: index, offset: from, maxWaitMs: waitMs, isolationLevel: isolation)
                    }
                } catch KafkaClientError.broker(let code, _, _) where code == .offsetOutOfRange {
                    let earliest = try await client.bounded("list offsets") { try await kafka.listOffset(topic: topic, partition: index, .earliest) }
                    printError("offset \(from) of \(topic)-\(index) is out of range; continuing at the earliest, \(earliest.offset)")
                    positions[index] = earliest.offset
                    continue
                }
                var out: [UInt8] = []
                let records: [Record]
                let fetchedEnd: Int64?
                do {
                    let batches = try RecordBatch.parse(fetched.batches, verifyCRC: true)
                    fetchedEnd = batches.last.map { $0.lastOffset + 1 }
                    records = try fetched.visibleBatches().flatMap { try $0.decompressedRecords() }
                } catch {
                    throw CLIError("\(topic)-\(index) at offset \(from): \(error)")
                }
                var stopped = false
                for record in records where record.offset >= from {
                    if let maxMessages, printed >= maxMessages { stopped = true; break }
                    out += recordFormat.render(topic: topic, partition: index, offset: record.offset, key: record.key,
                                               value: record.value, timestamp: record.timestamp,
                                               headers: record.headers.map { ($0.key, $0.value) })
                    positions[index] = record.offset + 1
                    printed += 1
                }
                if !out.isEmpty { FileHandle.standardOutput.write(Data(out)) }
                // Past control batches and aborted records too, or a consumer would fetch a
                // transaction's marker at the end of the log forever.
                if !stopped, let fetchedEnd, fetchedEnd > positions[index]! { positions[index] = fetchedEnd }
                let end = isolation == .readCommitted && fetched.lastStableOffset >= 0 ? fetched.lastStableOffset : fetched.highWatermark
                if positions[index]! >= end { atEnd.insert(index) } else { atEnd.remove(index) }
            }
            try await commit()
            if exitAtEnd && atEnd.count == selected.count { break }
        }
        try await commit()
        await member?.leave()
        await kafka.close()
        printError("consumed \(printed) records from \(topic)" + (group.map { " (committed for group \($0))" } ?? ""))
    }

    /// Where each partition starts: the group's committed offset if there is one, else
    /// --offset / --from-beginning / --timestamp, else the end.
    private func startPositions(_ kafka: KafkaClient, _ partitions: [Int32]) async throws -> [Int32: Int64] {
        let topic = self.topic
        var committed: [Int32: Int64] = [:]
        if let group, !partitions.isEmpty {
            for entry in try await fetchCommitted(kafka, client: client, group: group, topics: [topic]) where entry.offset >= 0 {
                committed[entry.partition] = entry.offset
            }
        }
        var positions: [Int32: Int64] = [:]
        for index in partitions {
            if let position = committed[index] { positions[index] = position; continue }
            let spec: OffsetSpec
            if fromBeginning || offset == "earliest" { spec = .earliest }
            else if let offset, let number = Int64(offset) { positions[index] = number; continue }
            else if let timestamp { spec = .timestamp(timestamp) }
            else { spec = .latest }
            let isolation = self.isolation.level
            let found = try await client.bounded("list offsets") {
                try await kafka.listOffset(topic: topic, partition: index, spec, isolationLevel: isolation)
            }
            positions[index] = found.offset >= 0
                ? found.offset
                : try await client.bounded("list offsets") {
                    try await kafka.listOffset(topic: topic, partition: index, .latest, isolationLevel: isolation)
                }.offset
        }
        return positions
    }
}

extension FetchedPartition {
    /// The records of every data batch, decompressing gzip, snappy, lz4 and zstd batches.
    func decodedRecords() throws -> [Record] {
        try RecordBatch.parse(batches, verifyCRC: true).filter { !$0.isControl }.flatMap { try $0.decompressedRecords() }
    }
}

/// Set once SIGINT or SIGTERM arrives, so a consumer can stop between fetches and commit.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                self.set = true
                self.lock.unlock()
            }
            source.resume()
            sources.append(source)
        }
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return set
    }
}
