/// The embedded default configuration `sluice serve` uses without `--config`: the same
/// text as plugins.json at the repository root (a test keeps the two identical).
enum DefaultConfig {
    static let source = "plugins.json (embedded default)"
    static let text = #"""
{
  "broker": { "dataDir": "data", "autoCreateTopics": true, "defaultPartitions": 1 },
  "storage": { "plugin": "memory", "config": {} },
  "metadata": { "plugin": "memory", "config": {} },
  "protocols": [],
  "connectors": []
}

"""#
}
