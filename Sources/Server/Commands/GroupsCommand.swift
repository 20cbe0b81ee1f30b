import ArgumentParser
import Foundation
import KafkaWire
import SluiceKafkaClient
import SluiceKernel

/// `sluice groups …`: consumer groups and their offsets.
struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups", abstract: "List, describe, delete consumer groups and reset their offsets.",
        discussion: "Example: sluice groups describe billing",
        subcommands: [List.self, Describe.self, Delete.self, ResetOffsets.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List consumer groups.", discussion: "Example: sluice groups list")
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let kafka = try await client.connect()
            let response = try await client.bounded("list groups") { try await kafka.send(ListGroupsRequest()) }
            try checkCode(response.errorCode, "list groups")
            let rows = response.groups.map { [$0.groupId, $0.groupState.isEmpty ? "-" : $0.groupState, $0.protocolType.isEmpty ? "-" : $0.protocolType] }
                .sorted { $0[0] < $1[0] }
            print(Table(columns: ["GROUP", "STATE", "PROTOCOL TYPE"], rows: rows).render(output.output), terminator: "")
            await kafka.close()
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A group's partitions: committed offset, log end offset, lag, and the member consuming each.",
            discussion: """
                One row per partition the group committed or has assigned, with the member that
                holds it (consumer id, host, client id); members holding no partition get a row
                of their own. JSON output is an array of these rows.
                Example: sluice groups describe billing --output json
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Group id.") var group: String

        func run() async throws {
            let kafka = try await client.connect()
            let group = self.group
            let described = try await client.bounded("describe group") {
                var request = DescribeGroupsRequest()
                request.groups = [group]
                return try await kafka.send(request)
            }
            let info = described.groups.first
            if let info { try checkCode(info.errorCode, "describe group '\(group)'") }
            let members = info?.members ?? []
            let state = info?.groupState ?? "Unknown"

            // Who holds which partition, from the consumer-protocol assignments.
            struct Holder { var id: String; var host: String; var clientId: String }
            var holders: [String: Holder] = [:]
            var idle: [Holder] = []
            for member in members {
                let holder = Holder(id: member.memberId, host: member.clientHost, clientId: member.clientId)
                let assignment = info?.protocolType == "consumer"
                    ? (try? ConsumerProtocol.decodeAssignment(member.memberAssignment))?.partitions ?? [:] : [:]
                if assignment.values.allSatisfy(\.isEmpty) { idle.append(holder) }
                for (topic, partitions) in assignment {
                    for partition in partitions { holders["\(topic)\u{0}\(partition)"] = holder }
                }
            }
            var offsets: [String: (topic: String, partition: Int32, offset: Int64)] = [:]
            for entry in try await fetchCommitted(kafka, client: client, group: group, topics: nil) {
                offsets["\(entry.topic)\u{0}\(entry.partition)"] = (entry.topic, entry.partition, entry.offset)
            }
            for key in holders.keys where offsets[key] == nil {
                let parts = key.split(separator: "\u{0}", maxSplits: 1)
                offsets[key] = (String(parts[0]), Int32(parts[1])!, -1)
            }
            var rows: [[String]] = []
            for (key, entry) in offsets.sorted(by: { ($0.value.topic, $0.value.partition) < ($1.value.topic, $1.value.partition) }) {
                let (topic, partition) = (entry.topic, entry.partition)
                let end = try await client.bounded("list offsets") {
                    try await kafka.listOffset(topic: topic, partition: partition, .latest)
                }.offset
                let current = entry.offset >= 0 ? "\(entry.offset)" : "-"
                let lag = entry.offset >= 0 ? "\(max(0, end - entry.offset))" : "-"
                let holder = holders[key]
                rows.append([group, topic, "\(partition)", current, "\(end)", lag,
                             holder?.id ?? "-", holder?.host ?? "-", holder?.clientId ?? "-"])
            }
            for holder in idle { rows.append([group, "-", "-", "-", "-", "-", holder.id, holder.host, holder.clientId]) }
            await kafka.close()
            if rows.isEmpty && output.output == .text {
                print("Group '\(group)' has no committed offsets and no members (state \(state)).")
                return
            }
            if output.output == .text { print("Group \(group): state \(state), \(members.count) members\n") }
            print(Table(columns: ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"],
                        rows: rows).render(output.output), terminator: "")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a consumer group and its committed offsets (it must have no members).",
            discussion: "Example: sluice groups delete billing")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Group id.") var group: String

        func run() async throws {
            let kafka = try await client.connect()
            let group = self.group
            let response = try await client.bounded("delete group") {
                var request = DeleteGroupsRequest()
                request.groupsNames = [group]
                return try await kafka.send(request)
            }
            try checkCode(response.results.first?.errorCode ?? 0, "delete group '\(group)'")
            await kafka.close()
            print("deleted group \(group)")
        }
    }

    struct ResetOffsets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-offsets",
            abstract: "Move a group's committed offsets on a topic (a dry run unless --execute).",
            discussion: """
                The group should have no active members. Prints the new offsets; --execute commits them.
                Example: sluice groups reset-offsets billing --topic orders --to-earliest --execute
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Group id.") var group: String
        @Option(help: "Topic whose offsets to move.") var topic: String
        @Option(help: "Only this partition (default: all).") var partition: Int32?
        @Flag(help: "To each partition's earliest offset.") var toEarliest = false
        @Flag(help: "To each partition's end (skip everything).") var toLatest = false
        @Option(help: "To this offset (clamped to the partition's range).") var toOffset: Int64?
        @Option(help: "To the first record at or after this time, ms since the epoch or ISO 8601 (2026-01-31T12:00:00Z).")
        var toDatetime: String?
        @Flag(help: "Commit the new offsets (default: only show them).") var execute = false

        func validate() throws {
            let targets = [toEarliest, toLatest, toOffset != nil, toDatetime != nil].filter { $0 }.count
            if targets != 1 { throw ValidationError("give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime") }
            if let toDatetime, parseTime(toDatetime) == nil {
                throw ValidationError("--to-datetime '\(toDatetime)' is neither milliseconds nor ISO 8601")
            }
        }

        func run() async throws {
            let kafka = try await client.connect()
            let (topic, group) = (self.topic, self.group)
            var selected = try await client.bounded("metadata") { try await kafka.partitions(of: topic) }.map(\.partitionIndex)
            if let partition {
                guard selected.contains(partition) else { throw CLIError("topic '\(topic)' has no partition \(partition)") }
                selected = [partition]
            }
            var current: [Int32: Int64] = [:]
            for entry in try await fetchCommitted(kafka, client: client, group: group, topics: [topic]) { current[entry.partition] = entry.offset }
            var targets: [Int32: Int64] = [:]
            var rows: [[String]] = []
            for index in selected {
                let earliest = try await client.bounded("list offsets") { try await kafka.listOffset(topic: topic, partition: index, .earliest) }.offset
                let latest = try await client.bounded("list offsets") { try await kafka.listOffset(topic: topic, partition: index, .latest) }.offset
                var target: Int64
                if toEarliest { target = earliest }
                else if toLatest { target = latest }
                else if let toOffset { target = min(max(toOffset, earliest), latest) }
                else {
                    let time = parseTime(toDatetime!)!
                    let found = try await client.bounded("list offsets") { try await kafka.listOffset(topic: topic, partition: index, .timestamp(time)) }
                    target = found.offset >= 0 ? found.offset : latest
                }
                targets[index] = target
                let before = current[index].map { $0 >= 0 ? "\($0)" : "-" } ?? "-"
                rows.append([group, topic, "\(index)", before, "\(target)"])
            }
            if execute {
                try await commitOffsets(kafka, client: client, group: group, topic: topic, offsets: targets)
            }
            await kafka.close()
            print(Table(columns: ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"], rows: rows).render(output.output),
                  terminator: "")
            printError(execute ? "committed the new offsets for group \(group)" : "dry run: nothing changed; add --execute to commit these offsets")
        }
    }
}

/// Milliseconds since the epoch from a number or an ISO 8601 date.
func parseTime(_ text: String) -> Int64? {
    if let millis = Int64(text) { return millis }
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text).map { Int64($0.timeIntervalSince1970 * 1000) }
}

func checkCode(_ code: Int16, _ context: String) throws {
    guard code != 0 else { return }
    throw CLIError("\(context): \(KafkaErrorCode(rawValue: code))")
}

struct CommittedOffset: Sendable {
    var topic: String
    var partition: Int32
    var offset: Int64
}

/// A group's committed offsets (`topics` nil: every topic it committed).
func fetchCommitted(_ kafka: KafkaClient, client: ClientOptions, group: String, topics: [String]?) async throws -> [CommittedOffset] {
    var names: [String: [Int32]] = [:]
    if let topics {
        for topic in topics {
            names[topic] = try await client.bounded("metadata") { try await kafka.partitions(of: topic) }.map(\.partitionIndex)
        }
    }
    let wanted = topics.map { $0.map { OffsetFetchRequest.Topic(name: $0, partitionIndexes: names[$0] ?? []) } }
    let response = try await client.bounded("fetch committed offsets") {
        var request = OffsetFetchRequest()
        request.groupId = group
        request.topics = wanted
        request.groups = [OffsetFetchRequest.Group(groupId: group, topics: wanted)]
        return try await kafka.send(request)
    }
    let resultTopics: [OffsetFetchResponse.Topic]
    if let first = response.groups.first {
        try checkCode(first.errorCode, "committed offsets of group '\(group)'")
        resultTopics = first.topics
    } else {
        try checkCode(response.errorCode, "committed offsets of group '\(group)'")
        resultTopics = response.topics
    }
    var result: [CommittedOffset] = []
    for topic in resultTopics {
        for partition in topic.partitions {
            try checkCode(partition.errorCode, "committed offset of \(topic.name)-\(partition.partitionIndex)")
            result.append(CommittedOffset(topic: topic.name, partition: partition.partitionIndex, offset: partition.committedOffset))
        }
    }
    return result
}

/// Commits offsets for a group from outside it (generation -1, no member id), as the
/// console tools and `kafka-consumer-groups --reset-offsets` do.
func commitOffsets(_ kafka: KafkaClient, client: ClientOptions, group: String, topic: String, offsets: [Int32: Int64]) async throws {
    let response = try await client.bounded("commit offsets") {
        var request = OffsetCommitRequest()
        request.groupId = group
        request.generationIdOrMemberEpoch = -1
        var entry = OffsetCommitRequest.Topic()
        entry.name = topic
        entry.partitions = offsets.sorted { $0.key < $1.key }.map {
            var partition = OffsetCommitRequest.Partition()
            partition.partitionIndex = $0.key
            partition.committedOffset = $0.value
            return partition
        }
        request.topics = [entry]
        return try await kafka.send(request)
    }
    for topic in response.topics {
        for partition in topic.partitions {
            try checkCode(partition.errorCode, "commit offset of \(topic.name)-\(partition.partitionIndex) for group '\(group)'")
        }
    }
}
