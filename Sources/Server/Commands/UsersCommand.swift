import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SluiceKafkaClient
import SluiceKernel
import SluiceSASL

/// `sluice users …`: SCRAM users over DescribeUserScramCredentials (50) and
/// AlterUserScramCredentials (51) (Kafka's `kafka-configs.sh --entity-type users
/// --alter --add-config 'SCRAM-SHA-512=[password=…]'`). The password is read from a prompt,
/// or from the first line of stdin when stdin is not a terminal; never from the command line.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Add, list and delete SASL users (SCRAM credentials, also checked by PLAIN).",
        discussion: """
            Example: sluice users add alice              (asks for the password)
                     printf '%s\\n' "$PW" | sluice users add alice --mechanism SCRAM-SHA-512
            """,
        subcommands: [Add.self, List.self, Delete.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user, or change its password. The password comes from a prompt or stdin.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The user name (the SASL username clients log in with).") var user: String
        @Option(help: "SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable). Default: both.") var mechanism: [String] = []
        @Option(help: "PBKDF2 iterations, \(ScramMechanism.minIterations)–\(ScramMechanism.maxIterations).")
        var iterations = ScramMechanism.minIterations

        func validate() throws {
            _ = try UsersCommand.mechanisms(mechanism, defaultAll: true)
            guard (ScramMechanism.minIterations...ScramMechanism.maxIterations).contains(iterations) else {
                throw ValidationError("--iterations \(iterations) is outside \(ScramMechanism.minIterations)–\(ScramMechanism.maxIterations)")
            }
            guard !user.isEmpty else { throw ValidationError("the user name must not be empty") }
        }

        func run() async throws {
            let password = try UsersCommand.readPassword(for: user)
            let (user, iterations) = (self.user, self.iterations)
            let kafka = try await client.connect()
            do {
                for mechanism in try UsersCommand.mechanisms(self.mechanism, defaultAll: true) {
                    let salt = ScramCrypto.randomBytes(32)
                    let salted = ScramCrypto.saltedPassword(mechanism, password: Array(password.utf8), salt: salt, iterations: iterations)
                    try await client.bounded("add user \(user)") {
                        try await kafka.upsertUserScramCredential(user: user, mechanism: mechanism.kafkaType, iterations: Int32(iterations),
                                                                  salt: salt, saltedPassword: salted)
                    }
                    print("user '\(user)': \(mechanism.rawValue) set (\(iterations) iterations)")
                }
            } catch let error as KafkaClientError {
                await kafka.close()
                throw CLIError("\(error)")
            }
            await kafka.close()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users with their SCRAM mechanisms and iteration counts.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Only these users (default: every user).") var users: [String] = []

        func run() async throws {
            let users = self.users
            let kafka = try await client.connect()
            let described: [DescribedScramUser]
            do {
                described = try await client.bounded("list users") { try await kafka.describeUserScramCredentials(users: users) }
            } catch let error as KafkaClientError {
                await kafka.close()
                throw CLIError("\(error)")
            }
            await kafka.close()
            let rows = described.flatMap { user in
                user.iterations.sorted { $0.key < $1.key }.map { [user.user, $0.key, String($0.value)] }
            }.sorted { $0.lexicographicallyPrecedes($1) }
            print(Table(columns: ["USER", "MECHANISM", "ITERATIONS"], rows: rows).render(output.output), terminator: "")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user's credentials: it can no longer log in.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The user name.") var user: String
        @Option(help: "Only this mechanism (repeatable). Default: every mechanism the user has.") var mechanism: [String] = []

        func validate() throws { _ = try UsersCommand.mechanisms(mechanism, defaultAll: false) }

        func run() async throws {
            let user = self.user
            let kafka = try await client.connect()
            do {
                var mechanisms = try UsersCommand.mechanisms(mechanism, defaultAll: false)
                if mechanisms.isEmpty {
                    let described = try await client.bounded("describe user \(user)") {
                        try await kafka.describeUserScramCredentials(users: [user])
                    }
                    mechanisms = described.flatMap(\.iterations.keys).compactMap(ScramMechanism.init(rawValue:)).sorted()
                }
                for mechanism in mechanisms {
                    try await client.bounded("delete user \(user)") {
                        try await kafka.deleteUserScramCredential(user: user, mechanism: mechanism.kafkaType)
                    }
                    print("user '\(user)': \(mechanism.rawValue) deleted")
                }
            } catch let error as KafkaClientError {
                await kafka.close()
                throw CLIError("\(error)")
            }
            await kafka.close()
        }
    }

    /// The mechanisms named (each once), or both (`defaultAll`) / none when none is named.
    static func mechanisms(_ names: [String], defaultAll: Bool) throws -> [ScramMechanism] {
        guard !names.isEmpty else { return defaultAll ? ScramMechanism.allCases : [] }
        return try Array(Set(names.map { name in
            guard let mechanism = ScramMechanism(rawValue: name.uppercased()) else {
                throw ValidationError("--mechanism '\(name)' is not SCRAM-SHA-256 or SCRAM-SHA-512 (PLAIN checks these credentials too)")
            }
            return mechanism
        })).sorted()
    }

    /// The password from a prompt (asked twice) on a terminal, else the first line of stdin.
    static func readPassword(for user: String) throws -> String {
        if isatty(STDIN_FILENO) != 0 {
            guard let first = getpass("Password for '\(user)': ").map({ String(cString: $0) }), !first.isEmpty else {
                throw CLIError("no password given")
            }
            guard let again = getpass("Again: ").map({ String(cString: $0) }), again == first else {
                throw CLIError("the passwords differ; nothing was changed")
            }
            return first
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CLIError("no password on stdin: pipe it in (printf '%s\\n' \"$PW\" | sluice users add \(user)) or run on a terminal")
        }
        return line
    }
}
