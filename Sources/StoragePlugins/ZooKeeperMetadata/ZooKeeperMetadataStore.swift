import Foundation
import Logging
import SluiceKernel

/// The `zookeeper` metadata plugin's store: the topic registry, group offsets and
/// connector positions (`MetadataStore`) and broker coordination (`ClusterCoordinator`)
/// in one ZooKeeper ensemble, laid out as `ZNodeLayout` says.
///
/// Every acknowledged write has been applied by the ensemble's quorum, which logs it to
/// disk before answering. Read-modify-writes (offset commits, config changes, partition
/// counts) are versioned writes retried on conflict, so concurrent brokers never lose
/// each other's changes. One store holds one ZooKeeper session: it is the broker's
/// session for registration and the controller claim.
public actor ZooKeeperMetadataStore: MetadataStore, ClusterCoordinator {
    /// The client (and session) the store uses.
    public nonisolated let client: ZooKeeperClient
    var logger: Logger
    var closed = false
    var subscribers: [UInt64: AsyncStream<ClusterEvent>.Continuation] = [:]
    var nextSubscriber: UInt64 = 1
    /// Topics whose `/topics/<name>` data watch is set.
    var watchedTopics: Set<String> = []
    /// Partition state znodes known per topic (encoded names), for diffing child events.
    var knownStates: [String: Set<Int32>] = [:]
    var notificationTask: Task<Void, Never>?
    /// Attempts of a read-modify-write before giving up on a znode that keeps changing.
    static let maxAttempts = 100

    /// Connects (creating the chroot and the layout's parents when missing) and sets the
    /// watches `events()` reports from.
    /// - Throws: `MetadataError.unusable` naming the connect string when no server answers
    ///   within `connectTimeoutMs` or the connect string cannot be used.
    public static func open(connect: ConnectString, sessionTimeoutMs: Int = 6_000, connectTimeoutMs: Int = 15_000,
                            logger: Logger = Logger(label: "sluice.zookeeper")) async throws -> ZooKeeperMetadataStore {
        let client: ZooKeeperClient
        do {
            client = try await ZooKeeperClient.connect(connect, sessionTimeoutMs: sessionTimeoutMs,
                                                       connectTimeoutMs: connectTimeoutMs, logger: logger)
        } catch let error as ZooKeeperError {
            throw MetadataError.unusable(error.description)
        }
        let store = ZooKeeperMetadataStore(client: client, logger: logger)
        do {
            try await store.prepare()
        } catch {
            await client.close()
            throw error
        }
        return store
    }

    init(client: ZooKeeperClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    private func prepare() async throws {
        try await metadata {
            for parent in ZNodeLayout.parents { try await client.ensurePath(parent) }
            do {
                try await client.create(ZNodeLayout.controllerEpoch, data: Array("0".utf8))
            } catch ZooKeeperError.nodeExists {}
            logger[metadataKey: "zk.session"] = "\(sessionHex(await client.sessionID))"
            let notifications = client.notifications
            notificationTask = Task { [weak self] in
                for await notification in notifications {
                    guard let self else { return }
                    await self.received(notification)
                }
            }
            try await armAllWatches()
        }
    }

    // MARK: Errors

    func ensureOpen() throws {
        if closed { throw MetadataError.closed }
    }

    /// Runs a `MetadataStore` call, turning client errors into `MetadataError`.
    func metadata<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try ensureOpen()
        do {
            return try await body()
        } catch ZooKeeperError.closed {
            throw MetadataError.closed
        } catch let error as ZooKeeperError {
            throw MetadataError.unusable(error.description)
        }
    }

    /// Runs a `ClusterCoordinator` call, turning client errors into `CoordinationError`.
    func coordination<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if closed { throw CoordinationError.closed }
        do {
            return try await body()
        } catch ZooKeeperError.closed {
            throw CoordinationError.closed
        } catch let error as ZooKeeperError {
            throw CoordinationError.unavailable(error.description)
        } catch let error as MetadataError {
            throw CoordinationError.unavailable(error.description)
        }
    }

    /// Reads a JSON znode, changes it and writes it back at the version read; retried when
    /// another writer got there first. Creates it from `ifMissing` when absent.
    func readModifyWrite<P: Codable & Sendable>(_ path: String, ifMissing: P?, _ change: (inout P) throws -> Void) async throws {
        for _ in 0..<Self.maxAttempts {
            if let node = try await client.getIfExists(path) {
                var value = try ZNodeJSON.decode(P.self, node.bytes, path: path)
                try change(&value)
                do {
                    try await client.set(path, data: try ZNodeJSON.encode(value), version: node.stat.version)
                    return
                } catch ZooKeeperError.badVersion {
                    continue
                }
            }
            guard var value = ifMissing else { throw ZooKeeperError.noNode(path) }
            try change(&value)
            do {
                try await client.create(path, data: try ZNodeJSON.encode(value))
                return
            } catch ZooKeeperError.nodeExists {
                continue
            }
        }
        throw MetadataError.unusable("znode \(path) changed under \(Self.maxAttempts) attempts to update it; too many writers at once")
    }

    /// Stores a JSON znode whatever it held (creating it when absent).
    func upsert<P: Codable & Sendable>(_ path: String, _ value: P) async throws {
        let data = try ZNodeJSON.encode(value)
        for _ in 0..<Self.maxAttempts {
            do {
                try await client.set(path, data: data)
                return
            } catch ZooKeeperError.noNode {
                do {
                    try await client.create(path, data: data)
                    return
                } catch ZooKeeperError.nodeExists {
                    continue
                }
            }
        }
        throw MetadataError.unusable("znode \(path) kept appearing and disappearing while it was written")
    }

    // MARK: Lifecycle

    /// Ends the session (this broker's registration and controller claim go at once) and
    /// finishes every event stream. Later calls, including a second `close`, throw `closed`.
    public func close() async throws {
        try ensureOpen()
        closed = true
        notificationTask?.cancel()
        for subscriber in subscribers.values { subscriber.finish() }
        subscribers.removeAll()
        await client.close()
        logger.info("ZooKeeper metadata store closed")
    }
}
