import Foundation
import SluiceKernel

/// The `sqlite` metadata plugin: the default, single-node metadata store.
///
/// ```json
/// "metadata": { "plugin": "sqlite", "config": { "path": "metadata.sqlite", "busyTimeoutMs": 5000 } }
/// ```
public enum SQLiteMetadataFactory: MetadataPluginFactory {
    /// The name in plugins.json: `"plugin": "sqlite"`.
    public static let name = "sqlite"
    /// One line for `sluice plugins`.
    public static let summary = "topic registry and committed offsets in one SQLite file (WAL, synchronous=FULL)"

    /// The `config` object of the `sqlite` plugin.
    public struct Configuration: PluginConfiguration, Equatable {
        /// The database file. A relative path is taken from the broker's `dataDir`.
        /// Default "metadata.sqlite".
        public var path: String = "metadata.sqlite"
        /// How long a statement waits for a lock held by another process (e.g. a
        /// `sluice metadata dump` reading the file), in milliseconds. Default 5000.
        public var busyTimeoutMs: Int = 5_000

        /// Every default.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case path, busyTimeoutMs
        }

        /// Decodes keys present in `config`; absent keys take their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Configuration.init()
            path = try c.decodeIfPresent(String.self, forKey: .path) ?? d.path
            busyTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .busyTimeoutMs) ?? d.busyTimeoutMs
        }

        /// The keys for `sluice plugins`.
        public static let keys: [ConfigKeyDoc] = [
            .init("path", "path", default: "metadata.sqlite", "the SQLite file; relative paths are taken from broker.dataDir"),
            .init("busyTimeoutMs", "milliseconds", default: "5000", "how long to wait for a lock held by another process"),
        ]

        /// Problems with `path` and `busyTimeoutMs`; empty when valid.
        public func validate() -> [ConfigProblem] {
            var problems: [ConfigProblem] = []
            if path.isEmpty {
                problems.append(.init(keyPath: "path", "must name a file, got an empty string"))
            } else if path.hasSuffix("/") {
                problems.append(.init(keyPath: "path", "must name a file, not a directory: '\(path)'"))
            }
            if !(0...600_000).contains(busyTimeoutMs) {
                problems.append(.init(keyPath: "busyTimeoutMs", "must be between 0 and 600000 ms, got \(busyTimeoutMs)"))
            }
            return problems
        }

        /// The file this configuration names, relative paths resolved against
        /// `dataDirectory`.
        public func fileURL(dataDirectory: URL) -> URL {
            if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL }
            return dataDirectory.appendingPathComponent(path).standardizedFileURL
        }
    }

    /// Opens (creating and migrating if needed) the configured file.
    /// - Throws: `MetadataError.unusable` naming the file when it cannot be used.
    public static func make(_ config: Configuration, context: PluginContext) async throws -> any MetadataStore {
        let url = config.fileURL(dataDirectory: context.dataDirectory)
        let store = try SQLiteMetadataStore(url: url, busyTimeout: Double(config.busyTimeoutMs) / 1000)
        context.logger.info("metadata store opened", metadata: ["path": "\(url.path)"])
        return store
    }
}
