import CZooKeeper
import Foundation
import Logging

/// A Swift-concurrency client for a ZooKeeper ensemble over the C client.
///
/// - Calls are async and never block a thread (see `ZooKeeperHandle`).
/// - A call made while the connection is down waits for it (the C client reconnects by
///   itself) and is retried, up to the session timeout in total; then it throws
///   `connectionLoss`. A write retried after a lost reply is reconciled (an own create or
///   versioned set that did apply is reported as done), so a retried call does not fail
///   because its first attempt succeeded.
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
    private let notify: AsyncStream<ZooKeeperNotification>.Continuation
    private var logger: Logger
    private var handle: ZooKeeperHandle?
    private var watcher: WatcherBox?
    private var generation = 0
    private var connected = false
    private var everConnected = false
    private var closed = false

    /// Connects and waits up to `connectTimeoutMs` for the first session. With a chroot,
    /// first creates the chroot path (connecting without it) when it is missing.
    /// - Throws: `ZooKeeperError.connectTimeout` naming the connect string, or
    ///   `badConnectString`.
    public static func connect(_ connect: ConnectString, sessionTimeoutMs: Int = 6_000, connectTimeoutMs: Int = 15_000,
                               logger: Logger = Logger(label: "sluice.zookeeper")) async throws -> ZooKeeperClient {
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
        (notifications, notify) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.logger = logger
        self.logger[metadataKey: "zk.connect"] = "\(connect)"
    }

    private func start(timeoutMs: Int, reportAs: ConnectString) async throws {
        try openHandle()
        do {
            try await waitConnected(until: .now + .milliseconds(timeoutMs))
        } catch ZooKeeperError.connectionLoss {
            throw ZooKeeperError.connectTimeout(connect: reportAs.description, timeoutMs: timeoutMs)
        }
    }

    /// The current session id (0 before the first connection); for logs and tests.
    public var sessionID: Int64 { handle?.sessionID ?? 0 }
    /// Whether the session is connected now.
    public var isConnected: Bool { connected }
    /// The current handle, for tests that need the C session (e.g. to expire it).
    var currentHandle: ZooKeeperHandle? { handle }

    private func openHandle() throws {
        let (stream, continuation) = AsyncStream<WatchedEvent>.makeStream(bufferingPolicy: .unbounded)
        let box = WatcherBox(continuation)
        let context = Unmanaged.passRetained(box).toOpaque()
        let raw = zookeeper_init2(connect.description, { _, type, state, path, context in
            guard let context else { return }
            let event = WatchedEvent(type: type, state: state, path: path.map { String(cString: $0) } ?? "")
            Unmanaged<WatcherBox>.fromOpaque(context).takeUnretainedValue().continuation.yield(event)
        }, Int32(sessionTimeoutMs), nil, context, 0, cClientLog)
        guard let raw else {
            let reason = String(cString: strerror(errno))
            Unmanaged<WatcherBox>.fromOpaque(context).release()
            throw ZooKeeperError.badConnectString(connect.description, reason: "the C client refused it (\(reason))")
        }
        handle = ZooKeeperHandle(raw: raw)
        watcher = box
        generation += 1
        connected = false
        everConnected = false
        let current = generation
        Task { for await event in stream { await self.received(event, generation: current) } }
    }

    private func received(_ event: WatchedEvent, generation current: Int) async {
        guard current == generation, !closed else { return }
        guard event.type == ZOO_SESSION_EVENT else {
            notify.yield(.watch(type: event.type, path: event.path))
            return
        }
        switch event.state {
        case ZOO_CONNECTED_STATE:
            connected = true
            logger[metadataKey: "zk.session"] = "\(sessionHex(handle?.sessionID ?? 0))"
            logger.info("ZooKeeper session connected", metadata: ["reconnected": "\(everConnected)"])
            notify.yield(.connected(reconnected: everConnected))
            everConnected = true
        case ZOO_CONNECTING_STATE, ZOO_ASSOCIATING_STATE:
            if connected {
                connected = false
                logger.warning("ZooKeeper connection lost; reconnecting within the session timeout")
                notify.yield(.disconnected)
            }
        case ZOO_EXPIRED_SESSION_STATE:
            logger.warning("ZooKeeper session expired; opening a new session")
            await replaceExpiredHandle()
        default:
            logger.error("ZooKeeper session state \(event.state) (authentication failed?)")
        }
    }

    private func replaceExpiredHandle() async {
        let old = handle, oldWatcher = watcher
        handle = nil
        connected = false
        for attempt in 1... {
            guard !closed else { return }
            do {
                try openHandle()
                break
            } catch {
                logger.error("cannot open a new ZooKeeper session (attempt \(attempt)): \(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
        if let old { Task { await Self.closeHandle(old, oldWatcher) } }
        notify.yield(.sessionReplaced)
    }

    /// `zookeeper_close` joins the C client's threads and waits for the server's reply:
    /// run it on a thread of its own, never on the cooperative pool. Returns when closed
    /// (the session's ephemeral znodes are gone then).
    private static func closeHandle(_ handle: ZooKeeperHandle, _ watcher: WatcherBox?) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                zookeeper_close(handle.raw)
                watcher?.continuation.finish()
                if let watcher { Unmanaged.passUnretained(watcher).release() }
                done.resume()
            }
        }
    }

    /// Waits until connected or `deadline`; throws `connectionLoss` or `closed`.
    private func waitConnected(until deadline: ContinuousClock.Instant) async throws {
        let start = ContinuousClock.now
        while !connected || handle == nil {
            if closed { throw ZooKeeperError.closed }
            if ContinuousClock.now >= deadline {
                throw ZooKeeperError.connectionLoss(connect: connect.description,
                                                    waitedMs: Int((ContinuousClock.now - start) / .milliseconds(1)))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs one operation until it gets an answer, retrying retriable codes (connection
    /// loss, expired or replaced session) for up to the session timeout in total.
    /// `attempt` gets the handle and whether this is a retry.
    func perform<T: Sendable>(_ operation: String, _ path: String, expectedVersion: Int32 = -1,
                              _ attempt: (ZooKeeperHandle, Bool) async -> (Int32, T?)) async throws -> T {
        let deadline = ContinuousClock.now + .milliseconds(sessionTimeoutMs)
        var retried = false
        while true {
            if closed { throw ZooKeeperError.closed }
            try await waitConnected(until: deadline)
            guard let handle else { continue }
            let (code, value) = await attempt(handle, retried)
            if code == ZOK.rawValue, let value { return value }
            guard ZooKeeperError.isRetriable(code), !closed else {
                throw ZooKeeperError.from(code, operation: operation, path: path, expectedVersion: expectedVersion)
            }
            logger.debug("ZooKeeper \(operation) \(path) will be retried: \(String(cString: zerror(code)))")
            retried = true
            if ContinuousClock.now >= deadline {
                throw ZooKeeperError.connectionLoss(connect: connect.description, waitedMs: sessionTimeoutMs)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Closes the session (its ephemeral znodes go at once). Later calls throw `closed`.
    public func close() async {
        guard !closed else { return }
        closed = true
        connected = false
        let old = handle, oldWatcher = watcher
        handle = nil
        watcher = nil
        notify.finish()
        if let old { await Self.closeHandle(old, oldWatcher) }
    }
}

extension ConnectString {
    init(hosts: String) {
        self.hosts = hosts
        chroot = nil
    }
}
