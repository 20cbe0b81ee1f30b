import ArgumentParser
import Foundation
import KafkaWire
import SluiceKafkaClient

/// `sluice cluster`: the brokers of the cluster and which one is the controller, and the
/// tools that move replicas between them (`reassign`, `drain`, `rebalance`, `reassignments`)
/// and elect leaders (`elect-leaders`).
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "List the brokers and the controller; move replicas between brokers.",
        discussion: """
            Without a subcommand this lists the live brokers. On a single node it lists the one
            broker, which is also its controller.
            Example: sluice cluster --bootstrap 127.0.0.1:9092
            """,
        subcommands: [Brokers.self, Reassign.self, Drain.self, Rebalance.self, Reassignments.self, ElectLeaders.self],
        defaultSubcommand: Brokers.self)

    struct Brokers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "brokers", abstract: "List the live brokers and the controller.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let kafka = try await client.connect()
            defer { Task { await kafka.close() } }
            let metadata = try await client.bounded("metadata") { try await kafka.metadata(topics: []) }
            let rows = metadata.brokers.sorted { $0.nodeId < $1.nodeId }.map { broker in
                ["\(broker.nodeId)", "\(broker.host):\(broker.port)", broker.rack ?? "-", broker.nodeId == metadata.controllerId ? "yes" : ""]
            }
            let table = Table(columns: ["BROKER", "ADDRESS", "RACK", "CONTROLLER"], rows: rows)
            switch output.output {
            case .text:
                print("Cluster: \(metadata.clusterId ?? "-")  Brokers: \(rows.count)  Controller: \(metadata.controllerId < 0 ? "none" : "\(metadata.controllerId)")\n")
                print(table.renderText(), terminator: "")
            case .json:
                print(table.renderJSON(), terminator: "")
            }
        }
    }

    /// `sluice cluster reassign TOPIC PARTITION --replicas 4,2,3` (or `--cancel`).
    struct Reassign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reassign", abstract: "Move one partition to other brokers (or cancel its move).",
            discussion: "Example: sluice cluster reassign orders 0 --replicas 4,2,3 --wait")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The topic.") var topic: String
        @Argument(help: "The partition index.") var partition: Int32
        @Option(help: "The new replicas, preferred leader first, e.g. 4,2,3.") var replicas: String?
        @Flag(help: "Cancel the partition's reassignment in progress.") var cancel = false
        @Flag(help: "Wait until no reassignment is in progress.") var wait = false

        func validate() throws {
            guard (replicas != nil) != cancel else { throw ValidationError("give either --replicas or --cancel") }
        }

        func run() async throws {
            let target: [Int32]? = try replicas.map { try parseBrokers($0) }
            let session = try await ControllerSession.open(client)
            defer { Task { await session.close() } }
            try await client.bounded("reassign") {
                try await session.controller.alterPartitionReassignments([(topic, partition, target)])
            }
            print(cancel ? "cancelling the reassignment of \(topic)-\(partition)" : "reassigning \(topic)-\(partition) to \(target!)")
            if wait { try await session.waitUntilDone(client) }
        }
    }

    /// `sluice cluster drain BROKER`.
    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "drain", abstract: "Move every replica off a broker (before taking it away).",
            discussion: "Example: sluice cluster drain 2 --wait")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The broker id to empty.") var broker: Int32
        @Flag(help: "Only print the moves.") var dryRun = false
        @Flag(help: "Wait until no reassignment is in progress.") var wait = false

        func run() async throws {
            let session = try await ControllerSession.open(client)
            defer { Task { await session.close() } }
            var plan = session.plan
            try plan.drain(broker, live: session.live)
            try await session.apply(plan, dryRun: dryRun, wait: wait, client: client)
        }
    }

    /// `sluice cluster rebalance [--dry-run]`.
    struct Rebalance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebalance", abstract: "Even out replicas and preferred leaders across the live brokers (within one).",
            discussion: "A newly added broker receives its share. Example: sluice cluster rebalance --dry-run")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Only print the moves.") var dryRun = false
        @Flag(help: "Wait until no reassignment is in progress.") var wait = false

        func run() async throws {
            let session = try await ControllerSession.open(client)
            defer { Task { await session.close() } }
            var plan = session.plan
            plan.rebalance(live: session.live)
            try await session.apply(plan, dryRun: dryRun, wait: wait, client: client)
        }
    }

    /// `sluice cluster reassignments`: progress of the moves in flight.
    struct Reassignments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reassignments", abstract: "List the reassignments in progress.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let session = try await ControllerSession.open(client)
            defer { Task { await session.close() } }
            let running = try await client.bounded("list reassignments") { try await session.controller.listPartitionReassignments() }
            let rows = running.map { r in
                [r.topic, "\(r.partition)", ids(r.replicas), ids(r.adding), ids(r.removing)]
            }
            let table = Table(columns: ["TOPIC", "PARTITION", "REPLICAS", "ADDING", "REMOVING"], rows: rows)
            switch output.output {
            case .text:
                print(rows.isEmpty ? "no reassignment in progress" : table.renderText(), terminator: rows.isEmpty ? "\n" : "")
            case .json:
                print(table.renderJSON(), terminator: "")
            }
        }
    }
}

private func ids(_ list: [Int32]) -> String { list.map(String.init).joined(separator: ",") }

private func parseBrokers(_ text: String) throws -> [Int32] {
    let ids = text.split(separator: ",").map { Int32($0.trimmingCharacters(in: .whitespaces)) }
    guard !ids.isEmpty, ids.allSatisfy({ $0 != nil }) else {
        throw ValidationError("--replicas: expected broker ids separated by commas, e.g. 4,2,3; got '\(text)'")
    }
    return ids.map { $0! }
}

/// A connection to the controller with the cluster's assignment as Metadata reports it.
struct ControllerSession {
    let bootstrap: KafkaClient
    let controller: KafkaClient
    let live: [Int32]
    let plan: ReplicaPlan
    private var connections: BrokerConnections

    static func open(_ client: ClientOptions) async throws -> ControllerSession {
        let bootstrap = try await client.connect()
        let metadata = try await client.bounded("metadata") { try await bootstrap.metadata(topics: nil) }
        var connections = BrokerConnections(client: client, bootstrap: bootstrap, brokers: metadata.brokers)
        guard let controller = try await connections.connection(to: metadata.controllerId) else {
            throw ValidationError("the cluster has no controller now (Metadata names \(metadata.controllerId)); retry in a moment")
        }
        var assignment: [ReplicaPlan.PartitionKey: [Int32]] = [:]
        for topic in metadata.topics where topic.errorCode == 0 {
            for partition in topic.partitions {
                assignment[.init(topic: topic.name ?? "", partition: partition.partitionIndex)] = partition.replicaNodes
            }
        }
        return ControllerSession(bootstrap: bootstrap, controller: controller, live: metadata.brokers.map(\.nodeId).sorted(),
                                 plan: ReplicaPlan(assignment: assignment), connections: connections)
    }

    /// Prints the moves from the current assignment to `target`, and sends them unless `dryRun`.
    func apply(_ target: ReplicaPlan, dryRun: Bool, wait: Bool, client: ClientOptions) async throws {
        let moves = target.changes(from: plan)
        for (key, from, to) in moves { print("\(key): \(ids(from)) -> \(ids(to))") }
        let before = plan.replicaCounts(live), after = target.replicaCounts(live)
        let leaders = target.leaderCounts(live)
        print(live.map { "broker \($0): \(before[$0]!) -> \(after[$0]!) replicas, \(leaders[$0]!) preferred leaders" }.joined(separator: "\n"))
        guard !dryRun else { return print("\(moves.count) moves planned (dry run: nothing sent)") }
        guard !moves.isEmpty else { return print("nothing to move") }
        let changes = moves.map { (topic: $0.0.topic, partition: $0.0.partition, replicas: Optional($0.to)) }
        try await client.bounded("reassign") { try await controller.alterPartitionReassignments(changes) }
        print("\(moves.count) reassignments started")
        if wait { try await waitUntilDone(client) }
    }

    /// Polls the controller until nothing is being reassigned (bounded by `--timeout` per call,
    /// and by one hour overall).
    func waitUntilDone(_ client: ClientOptions) async throws {
        let deadline = ContinuousClock.now + .seconds(3600)
        while ContinuousClock.now < deadline {
            let running = try await client.bounded("list reassignments") { try await controller.listPartitionReassignments() }
            if running.isEmpty { return print("every reassignment finished") }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw ValidationError("reassignments still running after an hour; see `sluice cluster reassignments`")
    }

    func close() async {
        await connections.close()
        await bootstrap.close()
    }
}
