import Foundation
import SluiceKernel

/// Makes the `segment-log` storage: durable, append-only segment files per partition,
/// like Kafka's. The default storage plugin.
///
/// ```json
/// "storage": { "plugin": "segment-log", "config": { "segmentBytes": 1073741824, "flush": "interval" } }
/// ```
public enum SegmentLogStorageFactory: StoragePluginFactory {
    public static let name = "segment-log"
    public static let summary = "segment files per partition with sparse indexes, crash recovery and zero-copy reads"

    /// Opens the storage in `config.directory` (default: the broker's data directory),
    /// taking its lock. Throws `StorageError.locked` when another Sluice holds it.
    public static func make(_ config: Configuration, context: PluginContext) async throws -> any LogStorage {
        let directory = config.directory.map { context.resolve(path: $0) } ?? context.dataDirectory
        return try SegmentLogStorage(configuration: config, directory: directory, logger: context.logger)
    }
}
