import ArgumentParser
import Foundation
import KafkaWire
import SluiceKafkaClient
import SluiceKernel

/// Options every console tool that talks to a broker shares.
struct ClientOptions: ParsableArguments {
    @Option(help: "Broker to talk to, HOST:PORT. Default: $SLUICE_BOOTSTRAP, else 127.0.0.1:9092.")
    var bootstrap: String?

    @Option(help: "Seconds to wait for the broker on each request.")
    var timeout: Double = 30

    var address: String {
        bootstrap ?? ProcessInfo.processInfo.environment["SLUICE_BOOTSTRAP"] ?? "127.0.0.1:9092"
    }

    /// Connects to the bootstrap broker, or fails with an error that says what to do.
    func connect() async throws -> KafkaClient {
        let address = self.address
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (1...65535).contains(port) else {
            throw CLIError("--bootstrap '\(address)' is not HOST:PORT (e.g. 127.0.0.1:9092)")
        }
        let rawHost = String(address[..<colon])
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        do {
            return try await bounded("connect to \(address)") { try await KafkaClient.connect(host: host, port: port) }
        } catch let error as KafkaClientError {
            if case .connectionFailed = error {
                throw CLIError("no broker reachable at \(address): is `sluice serve` running? (set --bootstrap or SLUICE_BOOTSTRAP)")
            }
            throw CLIError("\(address): \(error)")
        }
    }

    /// Runs `operation`, failing after `timeout` seconds (or `seconds`, when given).
    func bounded<T: Sendable>(_ what: String, seconds: Double? = nil,
                              _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let seconds = seconds ?? timeout
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                throw CLIError("\(what): no answer within \(seconds)s (raise --timeout?)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}

/// An error for people: printed as it is, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Output options of commands that print tables.
struct OutputOptions: ParsableArguments {
    @Option(help: "text (aligned columns) or json.")
    var output: OutputFormat = .text
}

extension KafkaClient {
    /// The partitions of `topic`, or a clear error if it does not exist.
    func partitions(of topic: String, autoCreate: Bool = false) async throws -> [MetadataResponse.Partition] {
        let response = try await metadata(topics: [topic], allowAutoCreate: autoCreate)
        guard let found = response.topics.first(where: { $0.name == topic }) else { throw KafkaClientError.unexpectedResponse }
        if found.errorCode == KafkaErrorCode.unknownTopicOrPartition.rawValue {
            throw CLIError("topic '\(topic)' does not exist" + (autoCreate ? " and the broker does not auto-create topics" : "")
                           + ": create it with `sluice topics create \(topic)`")
        }
        if found.errorCode != 0 {
            throw CLIError("topic '\(topic)': \(KafkaErrorCode(rawValue: found.errorCode))")
        }
        return found.partitions.sorted { $0.partitionIndex < $1.partitionIndex }
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// JSON text of a Foundation object (dictionaries/arrays of strings and numbers).
func jsonText(_ object: Any) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data("null".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
}
