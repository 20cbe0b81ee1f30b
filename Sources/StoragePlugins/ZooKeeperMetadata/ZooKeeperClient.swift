import Logging
import NIOCore
import SluiceKernel

/// A Swift-concurrency client for a ZooKeeper ensemble, speaking the jute protocol on
/// SwiftNIO (no native ZooKeeper library, no JVM).
///
/// - One session at a time over one connection to one server of the connect string;
///   the actor owns the session, the requests in flight and the watches, and the
///   connection's event loop owns pings and the read timeout.
/// - When the connection drops, the client reconnects to the servers in turn (shuffled
///   once, then round-robin) with the same session id and password, and sets its watches
///   again (SetWatches). Requests in flight then fail with connection loss.
/// - A call made while the connection is down waits for it and is retried, up to the
///   session timeout in total; then it throws `connectionLoss`. A write retried after a
///   lost reply is reconciled (an own create or versioned set that did apply is reported
///   as done), so a retried call does not fail because its first attempt succeeded.
/// - When the server expires the session, the client opens a new one and reports
///   `.sessionReplaced` on `notifications`; ephemeral znodes and watches must be set again.
/// - Watches are set with `watch: true` on reads and arrive, one-shot, on `notifications`.
public actor ZooKeeperClient {
    /// The connect string as configured.
    public nonisolated let connect: ConnectString
    /// Requested session timeout in milliseconds (the server may narrow it).
    public nonisolated let sessionTimeoutMs: Int
    /// Session events and fired watches, in order; one consumer.
    public nonisolated let notifications: AsyncStream<ZooKeeperNotification>
    let notify: AsyncStream<ZooKeeperNotification>.Continuation
    var logger: Logger
    let chroot: ZooKeeperChroot
    /// The servers of the connect string, shuffled once; `nextServer` walks them.
    let servers: [(host: String, port: Int)]
    var nextServer = 0

    /// The session: 0 and an empty password until the server assigns one.
    var session: Int64 = 0
    var password: [UInt8] = Array(repeating: 0, count: 16)
    /// The timeout the server granted (ms); the requested one until then.
    var negotiatedTimeoutMs: Int
    /// The highest zxid of a reply: a reconnect asks for a server at least this far.
    var lastZxid: Int64 = 0
    /// Set when the server expired the session; the next session reports `.sessionReplaced`.
    var replacingExpiredSession = false

    var connection: ZooKeeperConnection?
    var connected = false
    var closed = false
    var runTask: Task<Void, Never>?

    var nextXid: Int32 = 1
    var pending: [Int32: PendingRequest] = [:]
    var watches = ZooKeeperWatches()

    /// Connects and waits up to `connectTimeoutMs` for the first session. With a chroot,
    /// first creates the chroot path (connecting without it) when it is missing.
    /// - Throws: `ZooKeeperError.connectTimeout` naming the connect string, or
    ///   `badConnectString`.
    public static func connect(_ connect: ConnectString, sessionTimeoutMs: Int = 6_000, connectTimeoutMs: Int = 15_000,
                               logger: Logger = Logger(label: "sluice.zookeeper")) async throws -> ZooKeeperClient {
        if let problem = ConnectString.problem(hosts: connect.hosts, chroot: connect.chroot) {
            throw ZooKeeperError.badConnectString(connect.description, reason: problem)
        }
        if let chroot = connect.chroot {
            let root = ZooKeeperClient(ConnectString(hosts: connect.hosts), sessionTimeoutMs, logger)
            do {
                try await root.start(timeoutMs: connectTimeoutMs, reportAs: connect)
                try await root.ensurePath(chroot)
                await root.close()
            } catch {
                await root.close()
                throw error
            }
        }
        let client = ZooKeeperClient(connect, sessionTimeoutMs, logger)
        do {
            try await client.start(timeoutMs: connectTimeoutMs, reportAs: connect)
        } catch {
            await client.close()
            throw error
        }
        return client
    }

    private init(_ connect: ConnectString, _ sessionTimeoutMs: Int, _ logger: Logger) {
        self.connect = connect
        self.sessionTimeoutMs = sessionTimeoutMs
        negotiatedTimeoutMs = sessionTimeoutMs
        chroot = ZooKeeperChroot(prefix: connect.chroot)
        servers = connect.servers.shuffled()
        (notifications, notify) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.logger = logger
        self.logger[metadataKey: "zk.connect"] = "\(connect)"
    }

    private func start(timeoutMs: Int, reportAs: ConnectString) async throws {
        runTask = Task { await self.run() }
        do {
            try await waitConnected(until: .now + .milliseconds(timeoutMs))
        } catch ZooKeeperError.connectionLoss {
            throw ZooKeeperError.connectTimeout(connect: reportAs.description, timeoutMs: timeoutMs)
        }
    }

    /// The current session id (0 before the first connection and while a new session
    /// replaces an expired one); for logs and tests.
    public var sessionID: Int64 { session }
    /// Whether the session is connected now.
    public var isConnected: Bool { connected }

    /// Waits until connected or `deadline`; throws `connectionLoss` or `closed`.
    private func waitConnected(until deadline: ContinuousClock.Instant) async throws {
        let start = ContinuousClock.now
        while !connected {
            if closed { throw ZooKeeperError.closed }
            if ContinuousClock.now >= deadline {
                throw ZooKeeperError.connectionLoss(connect: connect.description,
                                                    waitedMs: Int((ContinuousClock.now - start).milliseconds))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs one operation until it gets an answer, retrying retriable codes (connection
    /// loss, expired or replaced session) for up to the session timeout in total.
    /// `attempt` is told whether this is a retry.
    func perform<T: Sendable>(_ operation: String, _ path: String, expectedVersion: Int32 = -1,
                              _ attempt: (Bool) async -> (Int32, T?)) async throws -> T {
        let deadline = ContinuousClock.now + .milliseconds(sessionTimeoutMs)
        var retried = false
        while true {
            if closed { throw ZooKeeperError.closed }
            try await waitConnected(until: deadline)
            let (code, value) = await attempt(retried)
            if code == ZooKeeperCode.ok, let value { return value }
            guard ZooKeeperError.isRetriable(code), !closed else {
                throw ZooKeeperError.from(code, operation: operation, path: path, expectedVersion: expectedVersion)
            }
            logger.debug("ZooKeeper \(operation) \(path) will be retried: \(ZooKeeperCode.message(code))")
            retried = true
            if ContinuousClock.now >= deadline {
                throw ZooKeeperError.connectionLoss(connect: connect.description, waitedMs: sessionTimeoutMs)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Closes the session (its ephemeral znodes go at once: the server has deleted them
    /// when it answers, which is waited for up to 3 s). Later calls throw `closed`.
    public func close() async {
        guard !closed else { return }
        closed = true
        if connected, let connection {
            let bound = connection.close(after: .milliseconds(Int64(min(negotiatedTimeoutMs, 3_000))))
            let result = await send(.closeSession)
            bound.cancel()
            if result.code != ZooKeeperCode.ok {
                logger.debug("closeSession was not answered: \(ZooKeeperCode.message(result.code))")
            }
        }
        connected = false
        connection?.close()
        runTask?.cancel()
        failPending()
        notify.finish()
        logger.debug("ZooKeeper session closed")
    }
}

extension ConnectString {
    init(hosts: String) {
        self.hosts = hosts
        chroot = nil
    }
}
