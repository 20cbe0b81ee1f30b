import SluiceKernel

/// `"plugin": "file-sink"` under `connectors`: records of topics written to local files,
/// `path/<topic>/<partition>/<first offset>.log`, exactly once across crashes.
///
/// See `FileSinkConfiguration` for the keys and `PartitionSink` for how records are
/// committed (write, fsync, then store the position in the metadata store).
public enum FileSinkFactory: ConnectorFactory {
    public static let name = "file-sink"
    public static let summary = "records of topics written to local files (value or JSON lines), rotated, resumable, exactly once"
    public static let kind = PluginKind.sink
    public typealias Configuration = FileSinkConfiguration

    public static func make(_ config: FileSinkConfiguration, broker: Broker, context: PluginContext) async throws -> any Connector {
        let settings = SinkSettings(config, name: context.instanceName, dataDirectory: context.dataDirectory)
        return FileSinkConnector(settings: settings, broker: broker, logger: context.logger)
    }
}
