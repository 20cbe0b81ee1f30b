import ArgumentParser
import Foundation
import SluiceKafkaClient
import SluiceKernel

/// `sluice acls …`: ACLs over CreateAcls (30), DescribeAcls (29) and DeleteAcls (31)
/// (Kafka's `kafka-acls.sh`).
struct AclsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acls", abstract: "Add, list and remove ACLs (Kafka's model: deny wins, super users see everything).",
        discussion: """
            Resource types: topic, group, cluster, transactional-id. Operations: read, write, create,
            delete, alter, describe, cluster-action, describe-configs, alter-configs, idempotent-write, all.
            Example: sluice acls add --principal User:alice --operation read --topic orders --group app
            """,
        subcommands: [Add.self, List.self, Remove.self])

    /// The resource options: which resources an ACL or filter names.
    struct ResourceOptions: ParsableArguments {
        @Option(help: "Topic name (or prefix with --prefixed; `*` for every topic).") var topic: String?
        @Option(help: "Consumer group id (or prefix).") var group: String?
        @Option(help: "Transactional id (or prefix).") var transactionalId: String?
        @Flag(help: "The cluster resource (kafka-cluster).") var cluster = false
        @Flag(help: "The names are prefixes (PREFIXED pattern); default LITERAL.") var prefixed = false

        var patterns: [AclResourcePattern] {
            let type: AclPatternType = prefixed ? .prefixed : .literal
            var patterns: [AclResourcePattern] = []
            if let topic { patterns.append(AclResourcePattern(.topic, topic, type)) }
            if let group { patterns.append(AclResourcePattern(.group, group, type)) }
            if let transactionalId { patterns.append(AclResourcePattern(.transactionalId, transactionalId, type)) }
            if cluster { patterns.append(AclResourcePattern(.cluster, AuthorizationAction.clusterName, .literal)) }
            return patterns
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add ACLs: each principal × host × operation on each named resource.",
            discussion: "Example: sluice acls add --principal 'User:CN=alice,O=Example' --operation write --topic logs- --prefixed")
        @OptionGroup var client: ClientOptions
        @OptionGroup var resource: ResourceOptions
        @Option(help: "Principal, e.g. User:alice or User:* (repeatable).") var principal: [String] = []
        @Option(help: "Host the ACL applies to: an IP address or * (repeatable). Default *.") var host: [String] = []
        @Option(help: "Operation (repeatable), e.g. read, write, describe, all.") var operation: [String] = []
        @Flag(help: "A Deny ACL instead of Allow.") var deny = false

        func validate() throws { _ = try bindings() }

        func bindings() throws -> [AclBinding] {
            guard !principal.isEmpty else { throw ValidationError("give --principal User:NAME (or User:*)") }
            guard !operation.isEmpty else { throw ValidationError("give --operation (read, write, create, delete, alter, describe, …, all)") }
            guard !resource.patterns.isEmpty else { throw ValidationError("name a resource: --topic, --group, --transactional-id or --cluster") }
            let operations = try operation.map(AclsCommand.operation)
            var bindings: [AclBinding] = []
            for pattern in resource.patterns {
                for principal in principal {
                    for host in host.isEmpty ? ["*"] : host {
                        for operation in operations {
                            let binding = AclBinding(pattern, AclEntry(principal: principal, host: host, operation: operation, permission: deny ? .deny : .allow))
                            do { try binding.validate() } catch { throw ValidationError("\(error)") }
                            bindings.append(binding)
                        }
                    }
                }
            }
            return bindings
        }

        func run() async throws {
            let bindings = try bindings()
            let kafka = try await client.connect()
            do {
                try await client.bounded("create ACLs") { try await kafka.createAcls(bindings) }
            } catch let error as KafkaClientError {
                await kafka.close()
                throw CLIError("\(error)")
            }
            await kafka.close()
            print("added \(bindings.count) ACL\(bindings.count == 1 ? "" : "s")")
        }
    }

    /// The filter options `list` and `remove` share.
    struct FilterOptions: ParsableArguments {
        @OptionGroup var resource: ResourceOptions
        @Option(help: "Only ACLs of this principal.") var principal: String?
        @Option(help: "Only ACLs of this host.") var host: String?
        @Option(help: "Only ACLs of this operation.") var operation: String?
        @Flag(help: "Only Deny ACLs.") var deny = false
        @Flag(help: "Only Allow ACLs.") var allow = false
        @Flag(help: "Also ACLs whose pattern applies to the named resource (`*`, prefixes): Kafka's MATCH.") var matching = false

        func filters() throws -> [AclBindingFilter] {
            guard !(deny && allow) else { throw ValidationError("give --deny or --allow, not both") }
            let operation = try self.operation.map(AclsCommand.operation) ?? .any
            let permission: AclPermissionType = deny ? .deny : allow ? .allow : .any
            func filter(_ type: AclResourceType, _ name: String?, _ pattern: AclPatternType) -> AclBindingFilter {
                AclBindingFilter(resourceType: type, resourceName: name, patternType: pattern, principal: principal, host: host,
                                 operation: operation, permission: permission)
            }
            let patterns = resource.patterns
            guard !patterns.isEmpty else { return [filter(.any, nil, .any)] }
            return patterns.map { filter($0.resourceType, $0.name, matching ? .match : $0.patternType) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List ACLs: every one, or those matching the filter options.",
            discussion: "Example: sluice acls list --topic orders --matching --output json")
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var filter: FilterOptions

        func validate() throws { _ = try filter.filters() }

        func run() async throws {
            let filters = try filter.filters()
            let kafka = try await client.connect()
            var found: [AclBinding] = []
            do {
                for filter in filters { found += try await client.bounded("describe ACLs") { try await kafka.describeAcls(filter) } }
            } catch let error as KafkaClientError {
                await kafka.close()
                throw CLIError("\(error)")
            }
            await kafka.close()
            print(AclsCommand.table(Array(Set(found)).sorted()).render(output.output), terminator: "")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the ACLs matching the filter options (give at least one).",
            discussion: "Example: sluice acls remove --principal User:alice --topic orders")
        @OptionGroup var client: ClientOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var filter: FilterOptions

        func validate() throws {
            _ = try filter.filters()
            if filter.resource.patterns.isEmpty && filter.principal == nil && filter.operation == nil {
                throw ValidationError("name what to remove: a resource, --principal or --operation (nothing would remove every ACL)")
            }
        }

        func run() async throws {
            let filters = try filter.filters()
            let kafka = try await client.connect()
            var removed: [AclBinding] = []
            do {
                for filter in filters { removed += try await client.bounded("delete ACLs") { try await kafka.deleteAcls(filter) } }
            } catch let error as KafkaClientError {
                await kafka.close()
                throw CLIError("\(error)")
            }
            await kafka.close()
            print(AclsCommand.table(removed.sorted()).render(output.output), terminator: "")
        }
    }

    /// `read`, `Read`, `describe-configs`, `DescribeConfigs`, … as an operation.
    static func operation(_ text: String) throws -> AclOperation {
        let key = text.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "").lowercased()
        guard let operation = AclOperation.allCases.first(where: { $0.kafkaName.lowercased() == key }),
              ![.any, .unknown].contains(operation) else {
            throw ValidationError("unknown operation '\(text)': use read, write, create, delete, alter, describe, cluster-action, describe-configs, alter-configs, idempotent-write or all")
        }
        return operation
    }

    static func table(_ bindings: [AclBinding]) -> Table {
        Table(columns: ["PRINCIPAL", "HOST", "OPERATION", "PERMISSION", "RESOURCE", "NAME", "PATTERN"], rows: bindings.map {
            [$0.entry.principal, $0.entry.host, $0.entry.operation.kafkaName, $0.entry.permission.kafkaName,
             $0.pattern.resourceType.kafkaName, $0.pattern.name, $0.pattern.patternType.kafkaName]
        })
    }
}
