import ArgumentParser
import Foundation
import SluiceKafkaClient

/// `sluice quotas …`: client quotas over DescribeClientQuotas (48) and AlterClientQuotas (49)
/// (Kafka's `kafka-configs.sh --entity-type users|clients`).
struct QuotasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quotas", abstract: "Show and change client quotas (per user and client id, defaults included).",
        discussion: """
            Keys: producer_byte_rate (bytes/s produced), consumer_byte_rate (bytes/s fetched),
            request_percentage (percent of one request handler's time).
            Example: sluice quotas alter --client-id app --set producer_byte_rate=1048576
            """,
        subcommands: [Describe.self, Alter.self])

    /// The entity options `describe` and `alter` share.
    struct EntityOptions: ParsableArguments {
        @Option(help: "User (principal name; ANONYMOUS without authentication).") var user: String?
        @Flag(help: "The default user (every user without a quota of its own).") var defaultUser = false
        @Option(help: "Client id.") var clientId: String?
        @Flag(help: "The default client id (every client id without a quota of its own).") var defaultClientId = false

        func validate() throws {
            if user != nil && defaultUser { throw ValidationError("give --user NAME or --default-user, not both") }
            if clientId != nil && defaultClientId { throw ValidationError("give --client-id NAME or --default-client-id, not both") }
        }

        /// The entity's parts (empty when no option names one).
        var parts: [ClientQuotaEntityPart] {
            var parts: [ClientQuotaEntityPart] = []
            if user != nil || defaultUser { parts.append(.init(type: "user", name: user)) }
            if clientId != nil || defaultClientId { parts.append(.init(type: "client-id", name: clientId)) }
            return parts
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List stored quotas: every entity, or those matching the entity options.",
            discussion: """
                --user/--client-id match that name exactly, --default-user/--default-client-id the
                default; with --strict only entities naming no other type are listed.
                Example: sluice quotas describe --client-id app --output json
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var entity: EntityOptions
        @Flag(help: "Leave out entities that also name a type the options do not mention.") var strict = false

        func run() async throws {
            let components: [(type: String, match: ClientQuotaMatch)] = entity.parts.map {
                (type: $0.type, match: $0.name.map(ClientQuotaMatch.exact) ?? .defaultName)
            }
            let strict = self.strict
            let kafka = try await client.connect()
            let described = try await client.bounded("describe client quotas") {
                try await kafka.describeClientQuotas(components, strict: strict)
            }
            await kafka.close()
            var rows: [[String]] = []
            for quota in described {
                let user = QuotasCommand.name(of: "user", in: quota.entity)
                let clientId = QuotasCommand.name(of: "client-id", in: quota.entity)
                for (key, value) in quota.values.sorted(by: { $0.key < $1.key }) {
                    rows.append([user, clientId, key, QuotasCommand.format(value)])
                }
            }
            rows.sort { $0.lexicographicallyPrecedes($1) }
            print(Table(columns: ["USER", "CLIENT-ID", "QUOTA", "VALUE"], rows: rows).render(output.output), terminator: "")
        }
    }

    struct Alter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set or delete quotas of one entity (a user, a client id, or both).",
            discussion: """
                Example: sluice quotas alter --user alice --default-client-id --set consumer_byte_rate=2097152 --delete request_percentage
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var entity: EntityOptions
        @Option(name: .customLong("set"), help: "KEY=VALUE to set (repeatable).") var sets: [String] = []
        @Option(name: .customLong("delete"), help: "KEY to remove (repeatable).") var deletes: [String] = []
        @Flag(help: "Only check the change; store nothing.") var validateOnly = false

        func validate() throws {
            if entity.parts.isEmpty {
                throw ValidationError("name the entity: --user NAME, --default-user, --client-id NAME and/or --default-client-id")
            }
            if sets.isEmpty && deletes.isEmpty { throw ValidationError("nothing to change: give --set KEY=VALUE and/or --delete KEY") }
            _ = try values()
        }

        func values() throws -> [String: Double] {
            var values: [String: Double] = [:]
            for text in sets {
                guard let equals = text.firstIndex(of: "="), let value = Double(text[text.index(after: equals)...]) else {
                    throw ValidationError("--set '\(text)' is not KEY=NUMBER (e.g. producer_byte_rate=1048576)")
                }
                values[String(text[..<equals])] = value
            }
            return values
        }

        func run() async throws {
            let (parts, values, deletes, validateOnly) = (entity.parts, try values(), self.deletes, self.validateOnly)
            let kafka = try await client.connect()
            do {
                try await client.bounded("alter client quotas") {
                    try await kafka.alterClientQuotas(entity: parts, set: values, remove: deletes, validateOnly: validateOnly)
                }
            } catch let error as KafkaClientError {
                await kafka.close()
                throw CLIError("\(error)")
            }
            await kafka.close()
            let described = parts.map { "\($0.type) \($0.name.map { "'\($0)'" } ?? "<default>")" }.joined(separator: ", ")
            print("\(validateOnly ? "valid, not stored" : "altered"): \(described)")
        }
    }

    static func name(of type: String, in entity: [ClientQuotaEntityPart]) -> String {
        guard let part = entity.first(where: { $0.type == type }) else { return "-" }
        return part.name ?? "<default>"
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
