import ArgumentParser

/// `sluice`: the broker and its console tools in one executable.
@main
struct SluiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A Kafka-compatible log-streaming broker with plugins.",
        discussion: """
            Start a broker on the embedded default plugins.json:
              sluice serve
            Check a configuration without starting anything:
              sluice config check my-plugins.json
            """,
        subcommands: [ServeCommand.self, ConfigCommand.self, PluginsCommand.self, MetadataCommand.self, StorageCommand.self, TopicsCommand.self, LogDirsCommand.self, ClusterCommand.self, QuotasCommand.self, UsersCommand.self, AclsCommand.self,
                      ProduceCommand.self, ConsumeCommand.self, GroupsCommand.self, TransactionsCommand.self, BenchCommand.self])
}
