import ArgumentParser
import Dispatch
import Foundation
import SluiceKafka
import SluiceKernel

/// `sluice consume TOPIC`: prints records, one per line by default.
struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume", abstract: "Print a topic's records.",
        discussion: """
            Starts at the end of each partition (only new records) unless told otherwise; with
            --group, at the group's committed offsets. --group does not join the group (no
            rebalancing with other members): it reads every selected partition and commits its
            positions as a commit from outside the group (generation -1), after each fetch and on
            Ctrl-C, so `sluice groups describe` shows its lag.
            --format placeholders (kcat's -f): %t topic, %p partition, %o offset, %k key,
            %s value, %T timestamp (ms), %h headers, %S value size, %K key size, \\n, \\t.
            Example: sluice consume orders --from-beginning --exit-at-end --format '%p:%o %k=%s\\n'
            """)

    @OptionGroup var client: ClientOptions
    @Argument(help: "Topic to consume.") var topic: String
    @Flag(help: "Start at the earliest offset of each partition.") var fromBeginning = false
    @Option(help: "Start at N, earliest or latest.") var offset: String?
    @Option(help: "Only this partition.") var partition: Int32?
    @Option(help: "Start at the first record at or after this time (milliseconds since the epoch).") var timestamp: Int64?
    @Option(help: "Commit positions for this consumer group (see above; no group membership).") var group: String?
    @Option(help: "Stop after this many records.") var maxMessages: Int?
    @Flag(help: "Stop once every partition's end (as of the last fetch) is reached.") var exitAtEnd = false
    @Option(help: "Output format per record, kcat-style (default: the value and a newline).") var format: String?
    @Flag(help: "Print the key and a tab before the value (when --format is not given).") var printKey = false

    func validate() throws {
        let starts = [fromBeginning, offset != nil, timestamp != nil].filter { $0 }.count
        if starts > 1 { throw ValidationError("give one of --from-beginning, --offset, --timestamp") }
        if let offset, !["earliest", "latest"].contains(offset), Int64(offset).map({ $0 < 0 }) ?? true {
            throw ValidationError("--offset must be a non-negative number, earliest or latest")
        }
        if let format { _ = try RecordFormat(parsing: format) }
        if let maxMessages, maxMessages < 0 { throw ValidationError("--max-messages must not be negative") }
    }

    func run() async throws {
        let recordFormat: RecordFormat = try format.map { try RecordFormat(parsing: $0) }
            ?? RecordFormat(pieces: printKey ? [.key, .literal("\t"), .value, .literal("\n")] : [.value, .literal("\n")])
        let kafka = try await client.connect()
        let topic = self.topic
        let all = try await client.bounded("metadata") { try await kafka.partitions(of: topic) }.map(\.partitionIndex)
        var selected = all
        if let partition {
            guard all.contains(partition) else {
                throw CLIError("topic '\(topic)' has partitions 0-\(all.count - 1); --partition \(partition) does not exist")
            }
            selected = [partition]
        }

        // Where each partition starts.
        var committed: [Int32: Int64] = [:]
        if let group, offset == nil, timestamp == nil, !fromBeginning {
            for entry in try await fetchCommitted(kafka, client: client, group: group, topics: [topic]) where entry.offset >= 0 {
                committed[entry.partition] = entry.offset
            }
        }
        var positions: [Int32: Int64] = [:]
        for index in selected {
            let spec: OffsetSpec?
            if fromBeginning || offset == "earliest" { spec = .earliest }
            else if let offset, let number = Int64(offset) { positions[index] = number; continue }
            else if let timestamp { spec = .timestamp(timestamp) }
            else if let position = committed[index] { positions[index] = position; continue }
            else { spec = .latest }
            let found = try await client.bounded("list offsets") { try await kafka.listOffset(topic: topic, partition: index, spec!) }
            positions[index] = found.offset >= 0
                ? found.offset
                : try await client.bounded("list offsets") { try await kafka.listOffset(topic: topic, partition: index, .latest) }.offset
        }

        let interrupted = InterruptFlag()
        var lastCommitted = committed
        func commit() async throws {
            guard let group else { return }
            let changed = positions.filter { lastCommitted[$0.key] != $0.value }
            guard !changed.isEmpty else { return }
            try await commitOffsets(kafka, client: client, group: group, topic: topic, offsets: changed)
            lastCommitted.merge(changed) { $1 }
        }

        var printed = 0
        var atEnd = Set<Int32>()
        let waitMs: Int32 = selected.count > 1 ? 100 : 500
        consuming: while !interrupted.isSet {
            if let maxMessages, printed >= maxMessages { break }
            for index in selected {
                if interrupted.isSet { break consuming }
                let from = positions[index]!
                let fetched: FetchedPartition
                do {
                    fetched = try await client.bounded("fetch") {
                        try await kafka.fetch(topic: topic, partition: index, offset: from, maxWaitMs: waitMs)
                    }
                } catch KafkaClientError.broker(let code, _, _) where code == .offsetOutOfRange {
                    let earliest = try await client.bounded("list offsets") { try await kafka.listOffset(topic: topic, partition: index, .earliest) }
                    printError("offset \(from) of \(topic)-\(index) is out of range; continuing at the earliest, \(earliest.offset)")
                    positions[index] = earliest.offset
                    continue
                }
                var out: [UInt8] = []
                for record in try fetched.records() where record.offset >= from {
                    if let maxMessages, printed >= maxMessages { break }
                    out += recordFormat.render(topic: topic, partition: index, offset: record.offset, key: record.key,
                                               value: record.value, timestamp: record.timestamp,
                                               headers: record.headers.map { ($0.key, $0.value) })
                    positions[index] = record.offset + 1
                    printed += 1
                }
                if !out.isEmpty { FileHandle.standardOutput.write(Data(out)) }
                if positions[index]! >= fetched.highWatermark { atEnd.insert(index) } else { atEnd.remove(index) }
            }
            try await commit()
            if exitAtEnd && atEnd.count == selected.count { break }
        }
        try await commit()
        await kafka.close()
        printError("consumed \(printed) records from \(topic)" + (group.map { " (committed for group \($0))" } ?? ""))
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
