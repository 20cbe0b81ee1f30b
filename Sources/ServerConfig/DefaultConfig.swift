/// The embedded default configuration `sluice serve` uses without `--config`: the same
/// text as plugins.json at the repository root (a test keeps the two identical).
package enum DefaultConfig {
    package static let source = "plugins.json (embedded default)"
    package static let text = #"""
{
  "broker": { "dataDir": "data", "autoCreateTopics": true, "defaultPartitions": 1 },
  "storage": { "plugin": "segment-log", "config": { "segmentBytes": 1073741824, "retentionHours": 168, "flush": "interval", "flushIntervalMs": 1000 } },
  "metadata": { "plugin": "sqlite", "config": { "path": "metadata.sqlite" } },
  "protocols": [
    { "plugin": "kafka", "config": { "listen": "127.0.0.1:9092" } },
    { "plugin": "http", "config": { "listen": "127.0.0.1:8080" } }
  ],
  "connectors": [
    { "name": "beats", "plugin": "beats-input", "config": { "listen": "127.0.0.1:5044", "topic": "logs" } },
    { "name": "archive", "plugin": "file-sink", "config": { "topics": ["logs"], "format": "value" } }
  ]
}

"""#
}
