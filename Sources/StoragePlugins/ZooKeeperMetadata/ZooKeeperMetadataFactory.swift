import Foundation
import SluiceKernel

/// The `zookeeper` metadata plugin: topic registry, group offsets and connector positions
/// in a ZooKeeper ensemble, plus broker coordination for cluster mode (the store is also a
/// `ClusterCoordinator`). Layout: `ZNodeLayout`; guide: docs/zookeeper.md.
///
/// ```json
/// "metadata": { "plugin": "zookeeper", "config": { "connect": "zk1:2181,zk2:2181,zk3:2181/sluice" } }
/// ```
public enum ZooKeeperMetadataFactory: MetadataPluginFactory {
    /// The name in plugins.json: `"plugin": "zookeeper"`.
    public static let name = "zookeeper"
    /// One line for `sluice plugins`.
    public static let summary = "cluster metadata and broker coordination in a ZooKeeper ensemble"

    /// The `config` object of the `zookeeper` plugin.
    public struct Configuration: PluginConfiguration, Equatable {
        /// "host:port[,host:port…][/chroot]". Required (no default; "" is reported). With a
        /// chroot, every znode lives under it and the path is created when missing.
        public var connect: String = ""
        /// The ZooKeeper session timeout in milliseconds: how long a broker may be cut off
        /// before its registration (and controller role) is dropped. The server bounds it
        /// to 2–20 × its tickTime. Default 6000.
        public var sessionTimeoutMs: Int = 6_000
        /// How long start-up waits for the first connection, in milliseconds, before it
        /// fails naming the connect string. Default 15000.
        public var connectTimeoutMs: Int = 15_000

        /// Every default (`connect` empty, which `validate` reports).
        public init() {}

        enum CodingKeys: String, CodingKey {
            case connect, sessionTimeoutMs, connectTimeoutMs
        }

        /// Decodes keys present in `config`; absent keys take their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Configuration()
            connect = try c.decodeIfPresent(String.self, forKey: .connect) ?? d.connect
            sessionTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .sessionTimeoutMs) ?? d.sessionTimeoutMs
            connectTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .connectTimeoutMs) ?? d.connectTimeoutMs
        }

        /// The keys for `sluice plugins`.
        public static let keys: [ConfigKeyDoc] = [
            .init("connect", "host:port[,host:port…][/chroot]", default: "(required)", "the ZooKeeper ensemble and an optional chroot path"),
            .init("sessionTimeoutMs", "milliseconds", default: "6000", "how long a cut-off broker keeps its registration"),
            .init("connectTimeoutMs", "milliseconds", default: "15000", "how long start-up waits for the first connection"),
        ]

        /// Problems with the connect string and the timeouts; empty when valid.
        public func validate() -> [ConfigProblem] {
            var problems: [ConfigProblem] = []
            if connect.isEmpty {
                problems.append(.init(keyPath: "connect", "is required: the ensemble as \"host:port[,host:port…][/chroot]\", e.g. \"127.0.0.1:2181/sluice\""))
            } else {
                do {
                    _ = try ConnectString(connect)
                } catch let error as ZooKeeperError {
                    if case .badConnectString(_, let reason) = error {
                        problems.append(.init(keyPath: "connect", "\(reason) (expected \"host:port[,host:port…][/chroot]\")"))
                    }
                } catch {}
            }
            if !(1_000...600_000).contains(sessionTimeoutMs) {
                problems.append(.init(keyPath: "sessionTimeoutMs", "must be between 1000 and 600000 ms, got \(sessionTimeoutMs)"))
            }
            if !(100...3_600_000).contains(connectTimeoutMs) {
                problems.append(.init(keyPath: "connectTimeoutMs", "must be between 100 and 3600000 ms, got \(connectTimeoutMs)"))
            }
            return problems
        }
    }

    /// Connects (waiting up to `connectTimeoutMs`) and prepares the layout.
    /// - Throws: `MetadataError.unusable` naming the connect string when it cannot connect.
    public static func make(_ config: Configuration, context: PluginContext) async throws -> any MetadataStore {
        try await open(config, context: context)
    }

    /// `make` with the concrete type, for callers that also need the `ClusterCoordinator`.
    public static func open(_ config: Configuration, context: PluginContext) async throws -> ZooKeeperMetadataStore {
        let connect: ConnectString
        do {
            connect = try ConnectString(config.connect)
        } catch let error as ZooKeeperError {
            throw MetadataError.unusable(error.description)
        }
        let store = try await ZooKeeperMetadataStore.open(connect: connect, sessionTimeoutMs: config.sessionTimeoutMs,
                                                          connectTimeoutMs: config.connectTimeoutMs, logger: context.logger)
        let session = sessionHex(await store.client.sessionID)
        context.logger.info("metadata store connected", metadata: ["connect": "\(connect)", "zk.session": "\(session)"])
        return store
    }
}
